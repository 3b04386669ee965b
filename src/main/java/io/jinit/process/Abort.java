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
 * requests made after it began ({@link #requests}), which is how a shutdown that an abort started
 * is never broken by the next signal. Safe from any thread.
 */
public final class Abort {
    /** How often {@link #await} re-checks a condition that nothing {@link #wake}s for (ms scale). */
    public static final Duration DEFAULT_POLL = Duration.ofMillis(50);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Signal first;
    private int requests;

    /** Requests the abort: the first call decides the signal reported; each call is counted and wakes every wait. */
    public void request(Signal signal) {
        lock.lock();
        try {
            if (first == null) first = signal;
            requests++;
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

    /** @return true once an abort has been requested */
    public boolean isRequested() {
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

    /** Wakes every {@link #await} to re-check its condition at once (e.g. a child has exited). */
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code done} holds, {@code limit} has passed, or an abort is requested, whichever
     * comes first. {@code done} is checked first, before the abort: a condition that holds wins
     * over an abort that arrives at the same moment. It is re-checked at every {@link #wake}, every
     * request, and every {@code poll} (for conditions nobody wakes for: {@code /proc}, runit's
     * status files).
     *
     * @param done  the condition; cheap, no blocking (called with no lock held)
     * @param limit how long to wait at most; null for no limit
     * @param poll  the longest time between two checks of {@code done}
     * @return true when {@code done} holds; false when the limit passed first
     * @throws AbortedException when an abort was requested (at any time, also before the call) while
     *     {@code done} did not hold; it names the first request's signal
     * @throws InterruptedException if the calling thread is interrupted
     */
    public boolean await(BooleanSupplier done, Duration limit, Duration poll) throws AbortedException, InterruptedException {
        return await(done, limit, poll, 0);
    }

    /**
     * Like {@link #await(BooleanSupplier, Duration, Duration)}, but gives way only to requests
     * beyond the first {@code after} ones: pass {@link #requests()} taken when a step began to
     * let only a later TERM/INT cut it short, or {@link Integer#MAX_VALUE} for a wait that no
     * request cuts short (it still ends by its limit).
     *
     * @param after how many requests this wait ignores
     * @throws AbortedException when more than {@code after} requests have been made while {@code done} did not hold
     */
    public boolean await(BooleanSupplier done, Duration limit, Duration poll, int after)
            throws AbortedException, InterruptedException {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, limit.toNanos());
        long pollNanos = Math.max(1_000_000, poll.toNanos());
        while (true) {
            if (done.getAsBoolean()) return true;
            lock.lock();
            try {
                if (requests > after) throw new AbortedException(first);
                long left = limit == null ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0) return false;
                changed.awaitNanos(Math.min(left, pollNanos));
                if (requests > after) {
                    // one last look: a condition that holds by now still wins
                    lock.unlock();
                    try {
                        if (done.getAsBoolean()) return true;
                    } finally {
                        lock.lock();
                    }
                    throw new AbortedException(first);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Sleeps for {@code time} unless an abort beyond {@code after} requests cuts it short.
     *
     * @throws AbortedException on such a request
     */
    public void sleep(Duration time, int after) throws AbortedException, InterruptedException {
        await(() -> false, time, time, after);
    }
}
