package io.jinit.process;

import io.jinit.process.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one abortable wait ({@link Abort#await}): condition, limit, abort, and the requests it ignores. */
@Timeout(30)
class AbortTest {
    private static final Duration POLL = Duration.ofMillis(10);

    @Test
    void returnsTrueWhenTheConditionHoldsAndFalseAtTheLimit() throws Exception {
        Abort abort = new Abort();
        assertThat(abort.await(() -> true, Duration.ZERO, POLL)).isTrue();
        long t0 = System.nanoTime();
        assertThat(abort.await(() -> false, Duration.ofMillis(200), POLL)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aRequestEndsAWaitWithoutLimitAtOnce() throws Exception {
        Abort abort = new Abort();
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                abort.await(() -> false, null, Duration.ofSeconds(60));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(100);
        long t0 = System.nanoTime();
        abort.request(Signal.INT);
        Throwable t = waiter.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(t).isInstanceOf(AbortedException.class);
        assertThat(((AbortedException) t).signal()).isEqualTo(Signal.INT);
    }

    @Test
    void anEarlierRequestAbortsAtOnceUnlessTheWaitIgnoresIt() throws Exception {
        Abort abort = new Abort();
        abort.request(Signal.TERM);
        assertThatThrownBy(() -> abort.await(() -> false, Duration.ofSeconds(10), POLL))
                .isInstanceOf(AbortedException.class);
        Cutoff fromNow = abort.fromNow();
        assertThat(abort.await(() -> false, Duration.ofMillis(100), POLL, fromNow)).isFalse();
        abort.request(Signal.INT);
        assertThatThrownBy(() -> abort.await(() -> false, Duration.ofSeconds(10), POLL, fromNow))
                .isInstanceOf(AbortedException.class);
        assertThat(abort.await(() -> false, Duration.ofMillis(50), POLL, Cutoff.NO_REQUEST)).isFalse();
        assertThat(abort.awaitRegardless(() -> false, Duration.ofMillis(50), POLL)).isFalse();
        assertThat(abort.signal()).contains(Signal.TERM);
        assertThat(abort.requests()).isEqualTo(2);
    }

    @Test
    void aConditionThatHoldsWinsOverAnAbort() throws Exception {
        Abort abort = new Abort();
        abort.request(Signal.TERM);
        assertThat(abort.await(() -> true, Duration.ofSeconds(1), POLL)).isTrue();
    }

    /**
     * The condition comes true, then the request wakes the wait (the main command exits in the
     * same moment as a TERM arrives): the wait's last look sees the condition, so the wait
     * reports it instead of the abort. The wait polls every 60 s, so only the request wakes it.
     */
    @Test
    void aConditionThatCameTrueBeforeTheWakingRequestWinsOverIt() throws Exception {
        Abort abort = new Abort();
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Object> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return abort.await(done::get, Duration.ofSeconds(60), Duration.ofSeconds(60));
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(200);
        done.set(true);
        abort.request(Signal.TERM);
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(true);
    }
}
