package io.jinit.boot;

import io.jinit.process.Signal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the init does with the signals it forwards, and how it stops the main command: one value,
 * validated once by the command line, used by both forwarding paths (to the main command, and to
 * runsvdir in runit-only mode).
 *
 * @param forward    where forwarded signals go ({@code --forward-signals})
 * @param rewrite    forwarded signal → the signal sent instead ({@code --rewrite FROM:TO})
 * @param dropped    forwarded signals dropped instead ({@code --rewrite FROM:0})
 * @param stopSignal what the main command gets when the init stops it ({@code --stop-signal},
 *                   {@code --rewrite TERM:X}; TERM by default)
 */
public record SignalPolicy(Forward forward, Map<Signal, Signal> rewrite, Set<Signal> dropped, Signal stopSignal) {

    /** Where forwarded signals go. */
    public enum Forward {
        /** To the main command's process group (the default). */
        GROUP,
        /** To the main command's process alone. */
        PROCESS,
        /** Nowhere: signals are received and dropped, as phusion's my_init does. */
        NONE
    }

    /** The default: forward to the main command's group, nothing rewritten, TERM stops. */
    public static final SignalPolicy DEFAULT = new SignalPolicy(Forward.GROUP, Map.of(), Set.of(), Signal.TERM);

    /** Copies the collections. */
    public SignalPolicy {
        rewrite = Map.copyOf(rewrite);
        dropped = Set.copyOf(dropped);
    }

    /**
     * @param received a signal the init received and forwards
     * @return the signal to send for it, or empty when it is dropped (forwarding off, or FROM:0)
     */
    public Optional<Signal> outgoing(Signal received) {
        if (forward == Forward.NONE || dropped.contains(received)) return Optional.empty();
        return Optional.of(rewrite.getOrDefault(received, received));
    }
}
