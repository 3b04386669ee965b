package io.jinit.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the init does with every signal, in one place: the table ({@link #row}, one row for each
 * signal 1..64, README "Signals") and the one decision function ({@link #decide}) that applies
 * the run's options to it ({@code --forward-signals}, {@code --rewrite}). Everything else derives
 * from it: the signalfd's mask ({@link #readMask}), the check that every thread blocks those
 * signals, the {@code --rewrite} validation and the help text.
 *
 * @param forward    where forwarded signals go ({@code --forward-signals})
 * @param rewrite    forwarded signal → the signal sent instead ({@code --rewrite FROM:TO})
 * @param dropped    forwarded signals dropped instead ({@code --rewrite FROM:0})
 * @param stopSignal what the main command gets when the init stops it ({@code --stop-signal},
 *                   {@code --rewrite TERM:X}; TERM by default)
 */
public record SignalPolicy(Forward forward, Map<Signal, Signal> rewrite, Set<Signal> dropped, Signal stopSignal) {

    /** The highest signal number on Linux ({@code SIGRTMAX}). */
    public static final int LAST = 64;
    /**
     * HotSpot's suspend/resume signal in the init's JVM: the launcher sets {@code _JAVA_SR_SIGNUM}
     * to it (HotSpot's default, USR2, is forwarded like any other signal).
     */
    public static final int HOTSPOT_SR_SIGNAL = 60;

    /** The policy before the options are read: forward to the main command's group, nothing rewritten. */
    public static final SignalPolicy DEFAULT = new SignalPolicy(Forward.GROUP, Map.of(), Set.of(), Signal.TERM);

    /** Where forwarded signals go. */
    public enum Forward {
        /** To the main command's process group (the default). */
        GROUP,
        /** To the main command's process alone. */
        PROCESS,
        /** Nowhere: signals are received and dropped, as phusion's my_init does. */
        NONE
    }

    /** A signal's row in the table: what the init does with it, before any option. */
    public enum Row {
        /** Request the abort (exit 2, {@code *** Init system aborted.}). */
        ABORT,
        /** Forward to the current target (the main command, or runsvdir in runit-only mode). */
        FORWARD,
        /** Read and dropped. */
        DROP,
        /** Reap the children that have exited ({@link Reaper#reap}). */
        REAP,
        /**
         * HotSpot's fault signals (ILL, BUS, FPE, SEGV): unblocked in every thread it starts and
         * handled by it, so never read from the signalfd as themselves; one sent with
         * {@code kill(2)} arrives relayed through signal 63 ({@code io.jinit.posix.FaultRelay}) and
         * is then forwarded like a {@link #FORWARD} signal. A real fault is HotSpot's crash.
         */
        RELAYED_FAULT,
        /**
         * Never read by the init: it cannot be caught (KILL, STOP), or it is the JVM's or glibc's
         * own, which they keep unblocked in every thread (32, 33, and {@link #HOTSPOT_SR_SIGNAL}).
         */
        NOT_READ
    }

    /** Copies the collections. */
    public SignalPolicy {
        rewrite = Map.copyOf(rewrite);
        dropped = Set.copyOf(dropped);
    }

    /**
     * The table: what the init does with signal {@code number}, whatever the options.
     *
     * @param number a signal number, 1..{@link #LAST}
     * @return its row
     * @throws IllegalArgumentException for a number outside 1..64
     */
    public static Row row(int number) {
        if (number < 1 || number > LAST) throw new IllegalArgumentException("no signal " + number + " (1-" + LAST + ")");
        Optional<Signal> named = Signal.ofNumber(number);
        if (named.isEmpty()) {
            // 32 and 33 are glibc's (thread cancellation, setxid), 34..64 the real-time signals
            // (SIGRTMIN = 34 as glibc numbers them; SIGRTMIN+3 = 37 is systemd's stop signal)
            return number == 32 || number == 33 || number == HOTSPOT_SR_SIGNAL ? Row.NOT_READ : Row.FORWARD;
        }
        return switch (named.get()) {
            case INT, TERM -> Row.ABORT;
            case CHLD -> Row.REAP;
            // TTIN, TTOU: while blocked they count as ignored for terminal I/O, so the init is never
            // stopped by them or by tcsetpgrp(3). PIPE: raised by the init's own write to a closed
            // pipe (its log on a closed stdout); forwarded, it would kill the main command.
            case TTIN, TTOU, PIPE -> Row.DROP;
            // KILL, STOP cannot be caught
            case KILL, STOP -> Row.NOT_READ;
            // HotSpot's own (its crash handlers, unblocked in every thread it starts): relayed when sent
            case ILL, BUS, FPE, SEGV -> Row.RELAYED_FAULT;
            case HUP, QUIT, TRAP, ABRT, USR1, USR2, ALRM, STKFLT, CONT, TSTP, URG, XCPU, XFSZ, VTALRM, PROF,
                 WINCH, IO, PWR, SYS -> Row.FORWARD;
        };
    }

    /**
     * @return every signal the init reads from its signalfd (rows other than {@link Row#NOT_READ}
     *     and {@link Row#RELAYED_FAULT}), bit {@code n-1} for signal {@code n}
     */
    public static long readMask() {
        long mask = 0;
        for (int n = 1; n <= LAST; n++) {
            if (row(n) != Row.NOT_READ && row(n) != Row.RELAYED_FAULT) mask |= 1L << (n - 1);
        }
        return mask;
    }

    /**
     * @return the names of the signals 1..31 that are never forwarded (rows other than
     *     {@link Row#FORWARD} and {@link Row#RELAYED_FAULT}), in number order, e.g. {@code INT};
     *     then {@code 32, 33, 60}
     */
    public static List<String> notForwarded() {
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= LAST; n++) {
            if (forwardable(n)) continue;
            out.add(Signal.ofNumber(n).map(Signal::name).orElse(Integer.toString(n)));
        }
        return out;
    }

    /** What happens to one received signal. */
    public sealed interface Decision {
        /** @param signal TERM or INT: requests the abort */
        record Abort(Signal signal) implements Decision {}

        /**
         * @param signal  the signal to send (rewritten by {@code --rewrite} where asked)
         * @param toGroup true: to the target's process group ({@code --forward-signals=group})
         */
        record Forward(int signal, boolean toGroup) implements Decision {}

        /** @param reason why, for the debug log (e.g. {@code --forward-signals=none}) */
        record Drop(String reason) implements Decision {}

        /** SIGCHLD: reap. */
        record Reap() implements Decision {}
    }

    /**
     * @param number a signal number, 1..{@link #LAST}
     * @return true when a signal the init receives is forwarded unless the options say otherwise
     *     ({@link Row#FORWARD}, {@link Row#RELAYED_FAULT})
     */
    public static boolean forwardable(int number) {
        return row(number) == Row.FORWARD || row(number) == Row.RELAYED_FAULT;
    }

    /**
     * The decision function: the signal's {@link #row} with this run's options applied.
     *
     * @param received a signal number the init read, 1..64
     * @return abort, forward (to whom and what), drop (why), or reap
     */
    public Decision decide(int received) {
        return switch (row(received)) {
            case ABORT -> new Decision.Abort(Signal.ofNumber(received).orElseThrow());
            case REAP -> new Decision.Reap();
            case DROP, NOT_READ -> new Decision.Drop("never forwarded");
            case FORWARD, RELAYED_FAULT -> {
                Optional<Signal> named = Signal.ofNumber(received);
                if (forward == Forward.NONE) yield new Decision.Drop("--forward-signals=none");
                if (named.isPresent() && dropped.contains(named.get())) {
                    yield new Decision.Drop("--rewrite " + named.get().name() + ":0");
                }
                int sent = named.map(s -> rewrite.getOrDefault(s, s).number()).orElse(received);
                yield new Decision.Forward(sent, forward == Forward.GROUP);
            }
        };
    }
}
