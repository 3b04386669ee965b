package io.jinit.process;


import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Carries out what {@link SignalPolicy#decide} decides for each signal the init reads (the
 * signalfd loop, {@link SignalFd}, calls {@link #deliver}); see README "Signals": abort, reap,
 * drop, or forward to the current target (the main command, or runsvdir in runit-only mode).
 * Signals to forward that arrive while there is no target are dropped, except between
 * {@link #hold} and the next {@link #forwardTo}, where they are kept and then delivered.
 */
public final class SignalRouter {
    /** What the router reports of each signal, for the debug log; called on the loop's thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param signal   the number read
         * @param decision what the policy decided (never {@link SignalPolicy.Decision.Reap}: SIGCHLD is not reported)
         */
        void received(int signal, SignalPolicy.Decision decision);
    }

    private final Abort abort;
    private final Reaper reaper;
    private final Listener listener;
    private volatile SignalPolicy policy = SignalPolicy.DEFAULT;
    /** Guards {@link #target}, {@link #holding} and {@link #held}. */
    private final Object lock = new Object();
    private Consumer<SignalPolicy.Decision.Forward> target;
    private boolean holding;
    private final List<SignalPolicy.Decision.Forward> held = new ArrayList<>();
    /** Test hook: how many of the next deliveries fail (as a forward that throws would). */
    private final AtomicInteger injectedFailures = new AtomicInteger();

    /**
     * @param abort    requested by TERM and INT
     * @param reaper   reaps on SIGCHLD
     * @param listener told of every signal but SIGCHLD (for debug logs), on the loop's thread
     */
    public SignalRouter(Abort abort, Reaper reaper, Listener listener) {
        this.abort = abort;
        this.reaper = reaper;
        this.listener = listener;
    }

    /**
     * Applies the run's options from now on ({@link SignalPolicy#DEFAULT} until then).
     *
     * @param runPolicy the policy of the command line
     */
    public void use(SignalPolicy runPolicy) {
        this.policy = runPolicy;
    }

    /**
     * Routes one received signal (what the loop runs for each signal it reads; callable directly in tests).
     *
     * @param signal the number of the signal that arrived, 1..64
     * @throws RuntimeException whatever the target's forward throws (the loop reports it and goes on)
     */
    public void deliver(int signal) {
        if (injectedFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("injected failure while routing " + Signal.nameOf(signal));
        }
        SignalPolicy.Decision decision = policy.decide(signal);
        if (!(decision instanceof SignalPolicy.Decision.Reap)) listener.received(signal, decision);
        switch (decision) {
            case SignalPolicy.Decision.Reap reap -> reaper.reap();
            case SignalPolicy.Decision.Abort(Signal s) -> abort.request(s);
            case SignalPolicy.Decision.Drop drop -> { }
            case SignalPolicy.Decision.Forward forward -> {
                Consumer<SignalPolicy.Decision.Forward> t;
                synchronized (lock) {
                    t = target;
                    if (t == null && holding) {
                        held.add(forward);
                        return;
                    }
                }
                if (t != null) t.accept(forward);
            }
        }
    }

    /** Test hook: the next {@code count} deliveries throw, as a forward that fails would. */
    void injectFailures(int count) {
        injectedFailures.set(count);
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
     * @param newTarget receives each signal to forward, or null to drop them (held ones too)
     */
    public void forwardTo(Consumer<SignalPolicy.Decision.Forward> newTarget) {
        List<SignalPolicy.Decision.Forward> pending;
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
     * @param target receives each signal to forward, or null to drop them (held ones too)
     * @return the scope; closing it stops the forwarding
     */
    public Scope forwardingTo(Consumer<SignalPolicy.Decision.Forward> target) {
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
