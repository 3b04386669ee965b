package io.jinit.runit;

import io.jinit.process.Abort;
import io.jinit.process.AbortedException;
import io.jinit.process.Cutoff;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops runit services the way {@code sv -w T force-stop} does, without spawning {@code sv}:
 * {@code d} to each running service's {@code supervise/control}, wait up to T until none runs,
 * then {@code k} (KILL) to those still running. Looks at the status files every {@link #POLL}.
 * The waits are {@link Abort#await}: a SIGTERM/SIGINT their {@link Cutoff} names cuts them short.
 */
public final class ServiceStop {
    /** Interval between looks at {@code supervise/stat}. */
    static final Duration POLL = Duration.ofMillis(20);
    /**
     * Interval between re-issued {@code d} commands while waiting: runsv misses a {@code d} sent
     * while the service is still starting, and a stop of a container that was just started
     * would then wait a whole interval (1 s in jinit 0.1). Re-issuing is idempotent.
     */
    static final Duration REISSUE = Duration.ofMillis(200);

    private ServiceStop() {}

    /**
     * Takes every running service down, KILLs those still running after {@code timeout}.
     *
     * @param services the service directories
     * @param timeout  {@code KILL_PROCESS_TIMEOUT}
     * @param abort    the init's abort request
     * @param cutoff   which abort requests end the wait ({@link Abort#await(java.util.function.BooleanSupplier, Duration, Duration, Cutoff)})
     * @throws AbortedException on a later request (the services are left as they are)
     */
    public static void forceStop(List<Path> services, Duration timeout, Abort abort, Cutoff cutoff)
            throws AbortedException, InterruptedException {
        List<Path> running = RunitServices.stillRunning(services);
        running.forEach(RunitServices::down);
        List<Path> left = awaitDown(running, timeout, abort, cutoff);
        left.forEach(RunitServices::kill);
    }

    /**
     * Waits until no service of {@code services} runs, re-issuing {@code d} every {@link #REISSUE}.
     *
     * @param services the service directories
     * @param bound    how long to wait at most
     * @param abort    the init's abort request
     * @param cutoff   which abort requests end the wait
     * @return the services still running when the bound passed (empty on success)
     * @throws AbortedException on a later request
     */
    public static List<Path> awaitDown(List<Path> services, Duration bound, Abort abort, Cutoff cutoff)
            throws AbortedException, InterruptedException {
        long[] lastReissue = {System.nanoTime()};
        List<Path> running = new ArrayList<>(RunitServices.stillRunning(services));
        abort.await(() -> {
            running.clear();
            running.addAll(RunitServices.stillRunning(services));
            long now = System.nanoTime();
            if (!running.isEmpty() && now - lastReissue[0] >= REISSUE.toNanos()) {
                running.forEach(RunitServices::down);
                lastReissue[0] = now;
            }
            return running.isEmpty();
        }, bound, POLL, cutoff);
        return List.copyOf(running);
    }
}
