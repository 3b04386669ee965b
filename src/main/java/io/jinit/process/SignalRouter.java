package io.jinit.process;


import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decides what happens to each signal the init receives. The signals arrive through
 * {@link SignalFd} (blocked in every thread from the exec on, read from a {@code signalfd(2)}),
 * which calls {@link #deliver}; see README "Signals":
 * <ul>
 *   <li>TERM, INT: request the {@link Abort} (exit 2, "Init system aborted.").</li>
 *   <li>HUP, QUIT, USR1, USR2, WINCH, ALRM, CONT, TSTP: forwarded to the current target (the main
 *       command) when forwarding is on, else dropped. None can kill, stop or dump the init.</li>
 *   <li>TTIN, TTOU: read and dropped by {@link SignalFd}; while blocked they count as ignored for
 *       terminal I/O, so the init is never stopped by it or by {@code tcsetpgrp(3)}.</li>
 * </ul>
 */
public final class SignalRouter {
    /** The signals forwarded to the target when forwarding is on. */
    public static final List<Signal> FORWARDED = List.of(Signal.HUP, Signal.QUIT, Signal.USR1, Signal.USR2,
            Signal.WINCH, Signal.ALRM, Signal.CONT, Signal.TSTP);

    private final Abort abort;
    private final Consumer<Signal> onReceive;
    /** Guards {@link #target}, {@link #holding} and {@link #held}. */
    private final Object lock = new Object();
    private Consumer<Signal> target;
    private boolean holding;
    private final List<Signal> held = new ArrayList<>();

    /**
     * @param abort     requested by TERM and INT
     * @param onReceive called for every received signal (for debug logs), on the signalfd thread
     */
    public SignalRouter(Abort abort, Consumer<Signal> onReceive) {
        this.abort = abort;
        this.onReceive = onReceive;
    }

    /**
     * Routes one received signal (what the signalfd thread runs; callable directly in tests).
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

    /**
     * Forwarding for a scope: from now on, forwarded signals go to {@code target} (any held since
     * {@link #hold} first), until the returned scope is closed, after which they are dropped.
     * Use it as {@code try (var forwarding = signals.forwardingTo(target)) { ... }}.
     *
     * @param target receives each forwarded signal, or null to drop them (held ones too)
     * @return the scope; closing it stops the forwarding
     */
    public Scope forwardingTo(Consumer<Signal> target) {
        forwardTo(target);
        return () -> forwardTo(null);
    }

    /** A span of forwarding ({@link #forwardingTo}); closing it drops forwarded signals again. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        /** Stops the forwarding: signals to forward are dropped from now on. */
        @Override
        void close();
    }
}
