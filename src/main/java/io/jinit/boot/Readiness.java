package io.jinit.boot;

import io.jinit.process.KillableCommand.Run;
import io.jinit.process.AbortedException;
import io.jinit.process.Command;
import io.jinit.process.Cutoff;
import io.jinit.process.Signal;
import io.jinit.process.WaitStatus;

import io.jinit.runit.RunitServices;
import io.jinit.runit.ServiceTree;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --wait-for-services}: before the main command, wait until every enabled runit service
 * (no {@code down} file) is up and, where it has an executable {@code check} script, the check
 * exits 0 ({@code sv check} semantics, runit's {@code sv(8)}). Every wait here gives way to
 * SIGTERM/SIGINT ({@link io.jinit.process.Abort#await}), a check that never returns included.
 */
final class Readiness {
    /** Interval between rounds of looks. */
    static final Duration POLL = Duration.ofMillis(50);

    private Readiness() {}

    /**
     * A service that cannot be supervised at all ({@link ServiceTree.Layout#unsupervisable}) can
     * never be ready: when the policy is fatal, the wait fails at once, naming it.
     *
     * @param layout where runsvdir runs, and the services it cannot supervise
     * @return true when all are ready, or when they are not but the config says go on (a warning);
     *     false when they are not ready in time, or cannot be supervised, and that is fatal (an
     *     error line naming them)
     * @throws AbortedException on SIGTERM/SIGINT while waiting
     */
    static boolean awaitServices(InitRuntime rt, Map<String, String> env, ServiceTree.Layout layout)
            throws AbortedException, InterruptedException {
        Duration limit = rt.config().readiness().limit();
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> never = layout.unsupervisable().stream().map(ServiceTree.Unsupervisable::name).toList();
        if (!never.isEmpty()) {
            String names = String.join(", ", never);
            if (rt.config().readiness().fatal()) {
                rt.log().error("services.not_ready", "Services can never be ready, they cannot be supervised: " + names
                        + ".", "services", names);
                return false;
            }
            rt.log().warn("services.not_ready", "Services can never be ready, they cannot be supervised: " + names
                    + ". Waiting for the others.", "services", names);
        }
        List<Path> services;
        try {
            services = new RunitServices(layout.directory()).services()
                    .stream().filter(RunitServices::enabled)
                    .filter(p -> !never.contains(p.getFileName().toString())).toList();
        } catch (java.io.IOException e) {
            rt.log().error("services.unreadable", "Cannot list the services in " + layout.directory()
                    + ": " + e.getMessage());
            return !rt.config().readiness().fatal();
        }
        List<Path> notReady = services;
        while (true) {
            List<Path> next = new ArrayList<>();
            for (Path service : notReady) {
                if (!ready(rt, env, service, deadline)) next.add(service);
            }
            notReady = next;
            if (notReady.isEmpty()) {
                rt.log().info("services.ready", "All " + services.size() + " services are ready.", "count", services.size());
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            // the pause between rounds, cut short by an abort
            rt.abort().sleep(Duration.ofNanos(Math.min(left, POLL.toNanos())), Cutoff.ANY_REQUEST);
        }
        String names = RunitServices.names(notReady);
        if (rt.config().readiness().fatal()) {
            rt.log().error("services.not_ready", "Services not ready after " + limit.toMillis() + " ms: " + names + ".",
                    "services", names);
            return false;
        }
        rt.log().warn("services.not_ready", "Services not ready after " + limit.toMillis() + " ms: " + names
                + ". Starting the main command anyway.", "services", names);
        return true;
    }

    /**
     * Runs the service's {@code check}, if it has one, until it exits or the deadline (plus
     * 100 ms) passes; a check that outlives it is KILLed and counts as not ready.
     *
     * @throws AbortedException on SIGTERM/SIGINT while the check runs (the check is KILLed first)
     */
    private static boolean ready(InitRuntime rt, Map<String, String> env, Path service, long deadline)
            throws AbortedException, InterruptedException {
        if (rt.abort().isRequestedByNow()) throw new AbortedException(rt.abort().signal().orElseThrow());
        if (!RunitServices.running(service)) return false;
        Path check = service.resolve("check");
        if (!Files.isRegularFile(check) || !Files.isExecutable(check)) return true;
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime())).plusMillis(100);
        return rt.commands().run(Command.of(List.of(check.toString()), env), check.toString(), left, Cutoff.ANY_REQUEST, Signal.KILL,
                () -> { }) instanceof Run.Finished(WaitStatus s) && s.success();
    }
}
