package io.jinit.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Stops runit services the way {@code sv -w T force-stop} does, without spawning {@code sv}:
 * {@code d} to each running service's {@code supervise/control}, wait up to T until none runs,
 * then {@code k} (KILL) to those still running. Polls the status files every {@link #POLL}.
 */
final class ServiceStop {
    /** Interval between looks at {@code supervise/stat}. */
    static final Duration POLL = Duration.ofMillis(20);
    /** Interval between re-issued {@code d} commands while waiting (runit can miss a stop of a service that is starting). */
    static final Duration REISSUE = Duration.ofSeconds(1);

    private ServiceStop() {}

    /**
     * Takes every running service down, KILLs those still running after {@code timeout}.
     *
     * @param services the service directories
     * @param timeout  {@code KILL_PROCESS_TIMEOUT}
     */
    static void forceStop(List<Path> services, Duration timeout) throws InterruptedException {
        List<Path> running = RunitServices.stillRunning(services);
        running.forEach(RunitServices::down);
        List<Path> left = awaitDown(running, timeout);
        left.forEach(RunitServices::kill);
    }

    /**
     * Waits until no service of {@code services} runs, re-issuing {@code d} every {@link #REISSUE}.
     *
     * @param services the service directories
     * @param bound    how long to wait at most
     * @return the services still running when the bound passed (empty on success)
     */
    static List<Path> awaitDown(List<Path> services, Duration bound) throws InterruptedException {
        long start = System.nanoTime();
        long lastReissue = start;
        while (true) {
            List<Path> running = RunitServices.stillRunning(services);
            long now = System.nanoTime();
            if (running.isEmpty() || now - start >= bound.toNanos()) return running;
            if (now - lastReissue >= REISSUE.toNanos()) {
                running.forEach(RunitServices::down);
                lastReissue = now;
            }
            Thread.sleep(POLL);
        }
    }
}
