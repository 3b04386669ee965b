package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The init's footprint under the limits a container runtime sets (issue 17): under a cgroup
 * memory limit the OOM killer takes the child that uses the memory, never the init; under a
 * pids limit the init boots, runs its services and stops. (The numbers themselves are in
 * tests-it/bench/bench.sh, section 7.)
 */
class FootprintIT {

    /** Three runit services, each {@code exec sleep}: runsvdir, 3 runsv and 3 sleep processes. */
    private static MyInitContainer withThreeServices(MyInitContainer c) {
        for (int i = 1; i <= 3; i++) {
            c.withCopyToContainer(Transferable.of("#!/bin/sh\nexec sleep infinity\n", 0755), "/etc/service/svc" + i + "/run");
        }
        return c;
    }

    /**
     * {@code --memory 48m} (no swap): the main command's child {@code tail /dev/zero} keeps one
     * endless line in memory and grows until the cgroup is full. It then holds more anonymous
     * memory than the init, so it must be the one the kernel kills (its shell sees 137), and the
     * init, alive, logs the main command's exit and keeps its status (3). Before issue 17 the
     * kernel killed the JVM here (42 MiB resident, half of it file pages: exit 137, no log line):
     * the init pages its file mappings out after the boot so that they no longer count.
     */
    @Test
    void underAMemoryLimitTheOomKillerTakesTheChildThatGrowsNotTheInit() {
        try (MyInitContainer c = withThreeServices(It.myInit(It.BASE))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withMemory(48L << 20).withMemorySwap(48L << 20))
                .withMyInitCommand("--", "sh", "-c", "sleep 3; tail /dev/zero; echo \"allocator status $?\"; exit 3")
                .expectingExit()) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(120));
            It.Output logs = It.logs(c);
            String all = logs.stdoutText() + logs.stderrText();

            assertThat(all).as("the allocator (tail) was the OOM killer's victim").contains("allocator status 137");
            assertThat(all).as("the init lived on and logged the main command's exit").contains("*** sh exited with status 3.");
            assertThat(status).as("the main command's status, not 137 (the init killed); log:\n%s", all).isEqualTo(3);
        }
    }

    /**
     * {@code --pids-limit}: every task of the init (each JVM thread is one) counts against it.
     * The init boots, runs 3 services and stops cleanly with {@code docker stop} at the limit it
     * meets today, and stays within its task budget at idle. Everything is looked at from the
     * host ({@code docker top}), since a {@code docker exec} would need pids of its own. Issue 17's
     * target, {@code --pids-limit 16}: 8 tasks in PID 1 + runsvdir + 3 runsv + 3 services = 15,
     * one to spare for a fork (README "Performance").
     */
    @Test
    void underAPidsLimitTheInitBootsRunsThreeServicesAndStops() {
        try (MyInitContainer c = withThreeServices(It.myInit(It.BASE))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPidsLimit((long) PIDS_LIMIT))
                .waitingFor(Wait.forLogMessage(".*Runit started.*\\n", 1))) {
            c.start();
            It.await(Duration.ofSeconds(30), "3 services running",
                    () -> threads(c).stream().filter(t -> t[1].equals("sleep")).count() == 3);
            String init = Long.toString(c.getContainerInfo().getState().getPidLong());
            long tasks = threads(c).stream().filter(t -> t[0].equals(init)).count();
            assertThat(tasks).as("tasks (threads) of PID 1 at idle").isLessThanOrEqualTo(MAX_INIT_TASKS);
            assertThat(c.stopGracefully(Duration.ofSeconds(20))).as("docker stop: the init's status after TERM").isEqualTo(2);
            String all = It.logs(c).stdoutText() + It.logs(c).stderrText();
            assertThat(all).as("log").doesNotContain("unable to create native thread").doesNotContain("unable to fork")
                    .doesNotContain("Exception").contains("*** Killing all processes...");
        }
    }

    /** Every thread of every process of the container as {host PID, name}: {@code docker top ID -eL -o pid,comm}, run on the host. */
    private static List<String[]> threads(MyInitContainer c) {
        It.CommandResult r = It.run(List.of("docker", "top", c.getContainerId(), "-eL", "-o", "pid,comm"), Map.of(), Duration.ofSeconds(30));
        assertThat(r.status()).as("docker top: %s", r.output()).isZero();
        return r.output().lines().skip(1).map(l -> l.strip().split("\\s+", 2)).toList();
    }

    /** Issue 17's pids limit. Before issue 17 the init had 14 tasks and failed here; 11 tasks needed 18. */
    private static final int PIDS_LIMIT = 16;
    /**
     * The init's tasks at idle: HotSpot's 8 (the launcher's first thread, main, VM Thread, VM
     * Periodic Task, Reference Handler, Service Thread, Notification Thread, Common-Cleaner); the
     * event loop runs on main. Issue 17's target.
     */
    private static final int MAX_INIT_TASKS = 8;
}
