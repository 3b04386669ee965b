package io.jinit.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;

/**
 * Runs children that an abort can interrupt and that can be stopped within a bound: a stop
 * sends a signal (TERM by default), waits up to the kill timeout ({@code KILL_PROCESS_TIMEOUT}),
 * then sends KILL and waits for the reaper to confirm the exit. Every wait here is
 * {@link Abort#await}, woken by the child's exit.
 */
public final class KillableCommand {

    /** What a stop reports, for the logs ({@code Shutting down ...}, {@code ... Forcing it to exit.}). */
    public interface StopObserver {
        /** The stop signal is about to be sent to {@code child}, shown in logs as {@code name}. */
        void stopping(String name, ChildProcess child);

        /** {@code child} outlived the kill timeout; KILL is about to be sent. */
        void forcing(String name, ChildProcess child);
    }

    private final Reaper reaper;
    private final Abort abort;
    private final Duration killTimeout;
    private final StopObserver observer;

    /**
     * @param reaper      the process's reaper
     * @param abort       the abort request that interrupts {@link #await}
     * @param killTimeout how long a stopped child may take before KILL ({@code KILL_PROCESS_TIMEOUT})
     * @param observer    receives the stop events
     */
    public KillableCommand(Reaper reaper, Abort abort, Duration killTimeout, StopObserver observer) {
        this.reaper = reaper;
        this.abort = abort;
        this.killTimeout = killTimeout;
        this.observer = observer;
    }

    /**
     * Starts a command.
     *
     * @throws CannotExecuteException 127/126 with the reason
     */
    public ChildProcess start(Command command) throws CannotExecuteException {
        return reaper.spawn(command);
    }

    /**
     * Waits until the child exits or an abort is requested, whichever comes first. A child that
     * has already exited wins over an abort that arrives at the same moment.
     *
     * @return the child's wait status
     * @throws AbortedException when an abort was requested before the child exited (the child runs on)
     * @throws InterruptedException if the calling thread is interrupted
     */
    public WaitStatus await(ChildProcess child) throws AbortedException, InterruptedException {
        return await(child, null).orElseThrow();
    }

    /**
     * Like {@link #await(ChildProcess)}, with a time limit.
     *
     * @param limit how long to wait at most; null for no limit
     * @return the status, or empty when the limit passed first (the child runs on)
     * @throws AbortedException when an abort was requested before the child exited
     * @throws InterruptedException if the calling thread is interrupted
     */
    public Optional<WaitStatus> await(ChildProcess child, Duration limit) throws AbortedException, InterruptedException {
        return await(child, limit, Cutoff.ANY_REQUEST);
    }

    /**
     * Like {@link #await(ChildProcess, Duration)}, giving way only to the abort requests
     * {@code cutoff} names ({@link Abort#await(java.util.function.BooleanSupplier, Duration, Duration, Cutoff)}).
     *
     * @param cutoff which abort requests end this wait
     * @return the status, or empty when the limit passed first (the child runs on)
     * @throws AbortedException when such a request came before the child exited
     */
    public Optional<WaitStatus> await(ChildProcess child, Duration limit, Cutoff cutoff)
            throws AbortedException, InterruptedException {
        CompletableFuture<WaitStatus> exit = child.onExit();
        exit.thenRun(abort::wake);
        // no poll: the child's exit wakes the wait, so an idle init makes no timed wake-up
        if (!abort.await(exit::isDone, limit, null, cutoff)) return Optional.empty();
        return Optional.of(exit.join());
    }

    /**
     * Stops a child: {@code signal}, then CONT to its process group (as runit's {@code sv down}
     * does: a stopped child gets to handle the stop signal at once), then KILL after the kill
     * timeout. Not interrupted by aborts.
     *
     * @param child   the child
     * @param name    its name in the log lines (my_init says "runit daemon" for runsvdir)
     * @param signal  the stop signal (TERM for my_init)
     * @param toGroup send to the child's process group when it leads one
     * @return the child's wait status
     * @throws InterruptedException if the calling thread is interrupted
     */
    public WaitStatus stop(ChildProcess child, String name, Signal signal, boolean toGroup) throws InterruptedException {
        if (child.status().isPresent()) return child.status().get();
        observer.stopping(name, child);
        child.signal(signal, toGroup);
        // to the whole group: a TSTP forwarded to the group stopped the child's own children too
        if (signal != Signal.KILL && signal != Signal.CONT) child.signal(Signal.CONT, true);
        Optional<WaitStatus> status = uninterrupted(child, killTimeout);
        if (status.isPresent()) return status.get();
        observer.forcing(name, child);
        child.signal(Signal.KILL, toGroup);
        return uninterrupted(child, null).orElseThrow();
    }

    /** How a {@link #run} ended. */
    public sealed interface Run {
        /** @param reason why the command could not be started (127 not found, 126 not executable) */
        record NotStarted(CannotExecuteException reason) implements Run {}

        /** @param status the command's wait status: it exited within the limit */
        record Finished(WaitStatus status) implements Run {}

        /** @param status its wait status after the stop: it outlived the limit and was stopped */
        record TimedOut(WaitStatus status) implements Run {}
    }

    /**
     * Starts a command and waits for it, the one way the init runs a helper child (a startup
     * script, a shutdown hook, a readiness check): it outlives {@code limit} → stopped; an abort
     * during the wait → {@code onAbort}, stopped, and the abort rethrown.
     *
     * @param command    what to run
     * @param name       its name in the stop's log lines
     * @param limit      how long it may run; null for no limit
     * @param cutoff     which abort requests end the wait ({@link #await(ChildProcess, Duration, Cutoff)})
     * @param stopSignal what stops it (then KILL after the kill timeout)
     * @param onAbort    runs before the stop when an abort cuts the wait (e.g. a log line)
     * @return how it ended
     * @throws AbortedException when such an abort request came first (it has been stopped)
     * @throws InterruptedException if the calling thread is interrupted
     */
    public Run run(Command command, String name, Duration limit, Cutoff cutoff, Signal stopSignal, Runnable onAbort)
            throws AbortedException, InterruptedException {
        ChildProcess child;
        try {
            child = start(command);
        } catch (CannotExecuteException e) {
            return new Run.NotStarted(e);
        }
        Optional<WaitStatus> status;
        try {
            status = await(child, limit, cutoff);
        } catch (AbortedException e) {
            onAbort.run();
            stop(child, name, stopSignal, false);
            throw e;
        }
        if (status.isPresent()) return new Run.Finished(status.get());
        return new Run.TimedOut(stop(child, name, stopSignal, false));
    }

    /** The same wait, given way to no abort request: a stop is bounded by its own timeout. */
    private Optional<WaitStatus> uninterrupted(ChildProcess child, Duration limit) throws InterruptedException {
        CompletableFuture<WaitStatus> exit = child.onExit();
        exit.thenRun(abort::wake);
        if (!abort.awaitRegardless(exit::isDone, limit, null)) return Optional.empty();
        return Optional.of(exit.join());
    }
}
