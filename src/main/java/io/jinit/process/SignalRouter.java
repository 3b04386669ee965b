package io.jinit.process;

import io.jinit.posix.Signal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decides what happens to each signal the init receives. Handlers are installed with
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}); HotSpot runs each delivery on a new
 * thread. Choice and limits (see README "Signals"):
 * <ul>
 *   <li>TERM, INT: request the {@link Abort} (exit 2, "Init system aborted.").</li>
 *   <li>HUP, USR1, USR2, WINCH, ALRM, CONT, TSTP: handled, so none can kill or stop the init;
 *       forwarded to the current target (the main command) when forwarding is on, else dropped.
 *       USR2 replaces HotSpot's suspend/resume handler, which only JFR's sampler uses.</li>
 *   <li>TTIN, TTOU: ignored ({@code SIG_IGN}), so the init is never stopped by terminal I/O or
 *       {@code tcsetpgrp(3)}; children get them back at their default (SETSIGDEF).</li>
 *   <li>QUIT: owned by HotSpot (thread dump on stdout); it cannot be caught. It never stops the init.</li>
 * </ul>
 * In {@code --signal-mode=signalfd} the handlers are not installed: {@link SignalFd} reads every
 * signal and calls {@link #deliver}, QUIT included (then forwarded like the others).
 * Without {@code -Xrs} the JVM would otherwise exit on TERM/INT/HUP through its shutdown hooks,
 * so {@link #install} must run first thing in {@code main}.
 */
public final class SignalRouter {
    /** The signals forwarded to the target when forwarding is on. */
    public static final List<Signal> FORWARDED =
            List.of(Signal.HUP, Signal.USR1, Signal.USR2, Signal.WINCH, Signal.ALRM, Signal.CONT, Signal.TSTP);
    /** The signals ignored by the init. */
    public static final List<Signal> IGNORED = List.of(Signal.TTIN, Signal.TTOU);

    private final Abort abort;
    private final Consumer<Signal> onReceive;
    /** Guards {@link #target}, {@link #holding} and {@link #held}. */
    private final Object lock = new Object();
    private Consumer<Signal> target;
    private boolean holding;
    private final List<Signal> held = new ArrayList<>();

    /**
     * @param abort     requested by TERM and INT
     * @param onReceive called for every received signal (for debug logs), on the handler thread
     */
    public SignalRouter(Abort abort, Consumer<Signal> onReceive) {
        this.abort = abort;
        this.onReceive = onReceive;
    }

    /**
     * Installs the handlers for every signal above.
     *
     * @throws IllegalArgumentException if the JVM refuses a signal (e.g. it runs with {@code -Xrs})
     */
    public void install() {
        handle(Signal.TERM);
        handle(Signal.INT);
        for (Signal s : FORWARDED) handle(s);
        for (Signal s : IGNORED) sun.misc.Signal.handle(new sun.misc.Signal(s.name()), sun.misc.SignalHandler.SIG_IGN);
    }

    private void handle(Signal s) {
        sun.misc.Signal.handle(new sun.misc.Signal(s.name()), received -> deliver(s));
    }

    /**
     * Routes one received signal (what the handler thread runs; callable directly in tests).
     *
     * @param s the signal that arrived
     */
    public void deliver(Signal s) {
        onReceive.accept(s);
        if (s == Signal.TERM || s == Signal.INT) {
            abort.request(s);
            return;
        }
        Consumer<Signal> t;
        synchronized (lock) {
            t = target;
            if (t == null && holding) {
                held.add(s);
                return;
            }
        }
        if (t != null) t.accept(s);
    }

    /**
     * Keeps the signals to forward that arrive from now until the next {@link #forwardTo}, which
     * delivers them. Called just before a command that will be the target is started, so a signal
     * that arrives while it starts is not lost.
     */
    public void hold() {
        synchronized (lock) {
            holding = true;
        }
    }

    /**
     * Sets where forwarded signals go from now on, and delivers there any signal held since {@link #hold}.
     *
     * @param newTarget receives each forwarded signal, or null to drop them (held ones too)
     */
    public void forwardTo(Consumer<Signal> newTarget) {
        List<Signal> pending;
        synchronized (lock) {
            target = newTarget;
            holding = false;
            pending = List.copyOf(held);
            held.clear();
        }
        if (newTarget != null) pending.forEach(newTarget);
    }
}
