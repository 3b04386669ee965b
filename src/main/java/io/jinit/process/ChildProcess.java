package io.jinit.process;

import io.jinit.posix.Libc;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child started through a {@link Reaper}. Its wait status is kept here, not by PID, so a
 * reused PID can never hand out this child's status, and a status of 0 is a status like any other.
 */
public final class ChildProcess {
    private final int pid;
    private final String name;
    private final Reaper reaper;
    private final CompletableFuture<WaitStatus> exit = new CompletableFuture<>();

    ChildProcess(int pid, String name, Reaper reaper) {
        this.pid = pid;
        this.name = name;
        this.reaper = reaper;
    }

    /** @return the PID in the init's PID namespace */
    public int pid() {
        return pid;
    }

    /** @return the name for logs: argv[0] of the command */
    public String name() {
        return name;
    }

    /** @return a future completed with the wait status when the reaper reaps the child */
    public CompletableFuture<WaitStatus> onExit() {
        return exit.copy();
    }

    /** @return the status if the child has been reaped */
    public Optional<WaitStatus> status() {
        return Optional.ofNullable(exit.getNow(null));
    }

    /**
     * Blocks until the child has been reaped.
     *
     * @return its wait status
     * @throws InterruptedException if the calling thread is interrupted
     */
    public WaitStatus waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Blocks until the child has been reaped or the timeout has passed.
     *
     * @param timeout how long to wait at most
     * @return the status, or empty on timeout
     * @throws InterruptedException if the calling thread is interrupted
     */
    public Optional<WaitStatus> waitFor(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(exit.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Sends a signal to the child, unless it has already been reaped (then its PID may belong
     * to another process and nothing is sent).
     *
     * @param signal the signal
     * @param toGroup true: to the child's process group ({@code kill(-pid)}; every child leads its own)
     * @return true if sent; false if the child is already gone
     */
    public boolean signal(Signal signal, boolean toGroup) {
        return signal(signal.number(), toGroup);
    }

    /**
     * As {@link #signal(Signal, boolean)}, for any signal number (a real-time signal too).
     *
     * @param number the signal number, 1..64
     * @throws io.jinit.posix.PosixException EPERM, EINVAL from {@code kill(2)}
     */
    public boolean signal(int number, boolean toGroup) {
        return reaper.whileRegistered(this, () -> Libc.kill(toGroup ? -pid : pid, number));
    }

    void complete(WaitStatus status) {
        exit.complete(status);
    }

    @Override
    public String toString() {
        return name + " (PID " + pid + ")";
    }
}
