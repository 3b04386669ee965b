package io.jinit.process;


import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The request to abort the init, made by SIGTERM or SIGINT (my_init's {@code KeyboardInterrupt}),
 * and the one wait of the init that gives way to it: {@link #await}. The first request decides
 * the outcome (exit 2); every request is counted, so a wait can choose to give way only to
 * requests made after it began ({@link #fromNow}), which is how a shutdown that an abort started
 * is never broken by the next signal ({@link Cutoff}). Safe from any thread.
 *
 * <p>In the init the wait is also where the event loop runs ({@link #runLoopWhileWaiting}): the
 * thread that waits takes the loop's turns ({@link SignalFd#turn}) instead of sleeping, so signals
 * are read and children reaped by the main thread itself, and the init needs no thread of its own
 * besides it. Other threads (tests) sleep on a condition that every request and {@link #wake}
 * signals.
 */
public final class Abort {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Signal first;
    private int requests;
    /** Counts requests and {@link #wake}s, so a wait never sleeps through one made while it looked. */
    private long wakes;
    /** The loop and the thread that runs it while it waits ({@link #runLoopWhileWaiting}); null when none does. */
    private volatile LoopRunner runner;

    private record LoopRunner(SignalFd loop, Thread thread) {}

    /**
     * From now on, the calling thread runs {@code loop} while it waits in {@link #await},
     * {@link #awaitRegardless} or {@link #sleep}: its waits take turns of the loop
     * ({@link SignalFd#turn}, bounded by the wait's limit and poll) instead of sleeping.
     *
     * @param loop a loop opened with {@link SignalFd#open}, read by no other thread
     */
    public void runLoopWhileWaiting(SignalFd loop) {
        this.runner = new LoopRunner(loop, Thread.currentThread());
    }

    /** @return the loop when the calling thread runs it ({@link #runLoopWhileWaiting}), else null */
    private SignalFd loopOfThisThread() {
        LoopRunner r = runner;
        return r != null && r.thread() == Thread.currentThread() ? r.loop() : null;
    }

    /** Requests the abort: the first call decides the signal reported; each call is counted and wakes every wait. */
    public void request(Signal signal) {
        lock.lock();
        try {
            if (first == null) first = signal;
            requests++;
            wakes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return the signal of the first request, if any was made */
    public Optional<Signal> signal() {
        lock.lock();
        try {
            return Optional.ofNullable(first);
        } finally {
            lock.unlock();
        }
    }

    /** At most this many pending signals are handled by one {@link #isRequestedByNow}. */
    private static final int PENDING_TURNS = 64;

    /**
     * Whether an abort has been requested, after handling the signals that are pending now (up
     * to 64) when the calling thread runs the loop ({@link #runLoopWhileWaiting}): a TERM that
     * arrived while the init was busy, even before its JVM started, counts before the next step
     * begins. Never blocks.
     *
     * @return true once an abort has been requested
     */
    public boolean isRequestedByNow() {
        SignalFd turns = loopOfThisThread();
        if (turns != null) {
            for (int i = 0; i < PENDING_TURNS && turns.turn(0); i++) {
                // each turn handled one signal
            }
        }
        return requests() > 0;
    }

    /** @return how many requests (TERM or INT) have been made so far */
    public int requests() {
        lock.lock();
        try {
            return requests;
        } finally {
            lock.unlock();
        }
    }

    /** @return the cutoff of a step that begins now: only requests made from now on cut its waits */
    public Cutoff fromNow() {
        return new Cutoff.RequestsAfter(requests());
    }

    /** Wakes every {@link #await} to re-check its condition at once (e.g. a child has exited). */
    public void wake() {
        lock.lock();
        try {
            wakes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code done} holds, {@code limit} has passed, or an abort is requested, whichever
     * comes first ({@link Cutoff#ANY_REQUEST}). {@code done} is checked first, before the abort: a
     * condition that holds wins over an abort that arrives at the same moment. It is re-checked at
     * every {@link #wake}, every request, and every {@code poll} (for conditions nobody wakes for:
     * {@code /proc}, runit's status files).
     *
     * @param done  the condition; cheap, no blocking (called with no lock held)
     * @param limit how long to wait at most; null for no limit
     * @param poll  the longest time between two checks of {@code done}; null for none (a condition
     *              that someone always {@link #wake}s for, such as a child's exit: no timed wake-up)
     * @return true when {@code done} holds; false when the limit passed first
     * @throws AbortedException when an abort was requested (at any time, also before the call) while
     *     {@code done} did not hold; it names the first request's signal
     * @throws InterruptedException if the calling thread is interrupted
     */
    public boolean await(BooleanSupplier done, Duration limit, Duration poll) throws AbortedException, InterruptedException {
        return await(done, limit, poll, Cutoff.ANY_REQUEST);
    }

    /**
     * Like {@link #await(BooleanSupplier, Duration, Duration)}, but gives way only to the requests
     * {@code cutoff} names: {@link #fromNow()} taken when a step began lets only a later TERM/INT
     * cut it short, {@link Cutoff#NO_REQUEST} none (the wait still ends by its limit).
     *
     * @param cutoff which requests end the wait
     * @throws AbortedException when such a request has been made while {@code done} did not hold
     */
    public boolean await(BooleanSupplier done, Duration limit, Duration poll, Cutoff cutoff)
            throws AbortedException, InterruptedException {
        return switch (awaitOrCut(done, limit, poll, cutoff)) {
            case DONE -> true;
            case LIMIT -> false;
            case CUT -> throw new AbortedException(signal().orElseThrow());
        };
    }

    /**
     * Waits until {@code done} holds or {@code limit} has passed, whatever is requested meanwhile
     * (the {@link Cutoff#NO_REQUEST} wait, which cannot end with {@link AbortedException}).
     *
     * @param limit how long to wait at most; null for no limit
     * @return true when {@code done} holds; false when the limit passed first
     * @throws InterruptedException if the calling thread is interrupted
     */
    public boolean awaitRegardless(BooleanSupplier done, Duration limit, Duration poll) throws InterruptedException {
        return awaitOrCut(done, limit, poll, Cutoff.NO_REQUEST) == Ended.DONE;
    }

    /** How the one wait ended. */
    private enum Ended { DONE, LIMIT, CUT }

    /** The one wait. */
    private Ended awaitOrCut(BooleanSupplier done, Duration limit, Duration poll, Cutoff cutoff)
            throws InterruptedException {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, limit.toNanos());
        long pollNanos = poll == null ? Long.MAX_VALUE : Math.max(1_000_000, poll.toNanos());
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = wakes;
            } finally {
                lock.unlock();
            }
            if (done.getAsBoolean()) return Ended.DONE;
            lock.lock();
            try {
                if (cutoff.cuts(requests)) return Ended.CUT;
                long left = limit == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) return Ended.LIMIT;
                // a wake-up since the look above: look again at once
                if (wakes == seen) {
                    SignalFd turns = loopOfThisThread();
                    if (turns != null) {
                        // this thread is the loop: a signal handled (a reap, a request) ends the turn
                        lock.unlock();
                        try {
                            turns.turn(Math.min(left, pollNanos));
                        } finally {
                            lock.lock();
                        }
                    } else {
                        changed.awaitNanos(Math.min(left, pollNanos));
                    }
                }
                if (cutoff.cuts(requests)) {
                    // one last look: a condition that holds by now still wins
                    lock.unlock();
                    try {
                        if (done.getAsBoolean()) return Ended.DONE;
                    } finally {
                        lock.lock();
                    }
                    return Ended.CUT;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Sleeps for {@code time} unless a request that {@code cutoff} names cuts it short.
     *
     * @throws AbortedException on such a request
     */
    public void sleep(Duration time, Cutoff cutoff) throws AbortedException, InterruptedException {
        await(() -> false, time, time, cutoff);
    }
}
