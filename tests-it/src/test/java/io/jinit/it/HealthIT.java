package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.wait.strategy.Wait;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health probe {@code /sbin/my_init-health} (issue 19), in the container of
 * src/test/docker/hardened (services svc1 and svc2, svc2 with a ./check; its Dockerfile's
 * HEALTHCHECK runs the probe every second): healthy, a failing check, a service taken down on
 * purpose and one that is down against its will, during the boot, during the stop, without a
 * writable /run, its cost, and Docker's health status going healthy, then unhealthy.
 */
@Timeout(300)
class HealthIT {

    static MyInitContainer container() {
        return It.myInit(It.image("hardened"))
                .waitingFor(Wait.forLogMessage(".*svc[12] up as .*\\n", 2).withStartupTimeout(Duration.ofSeconds(60)));
    }

    record Probe(int status, String out) {
    }

    static Probe probe(MyInitContainer c) {
        Container.ExecResult r = HardenedIT.execResult(c, "/sbin/my_init-health");
        return new Probe(r.getExitCode(), r.getStdout() + r.getStderr());
    }

    /** Polls the probe until its answer matches; fails with the last answer. */
    static Probe awaitProbe(MyInitContainer c, String what, java.util.function.Predicate<Probe> ok) {
        Probe[] last = {null};
        try {
            It.await(Duration.ofSeconds(20), what, () -> ok.test(last[0] = probe(c)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer " + last[0] + "\nlog:\n" + c.getLogs(), e);
        }
        return last[0];
    }

    @Test
    void healthyThenAFailingCheckThenADownedServiceThenOneDownAgainstItsWill() {
        try (MyInitContainer c = container()) {
            c.start();
            awaitProbe(c, "healthy", p -> p.status() == 0);
            assertThat(probe(c).out()).isEmpty();

            It.exec(c, "touch", "/tmp/svc2-check-fails");
            Probe failing = probe(c);
            assertThat(failing.status()).isEqualTo(1);
            assertThat(failing.out()).isEqualTo("not ready: svc2 (./check exited 1)\n");
            It.exec(c, "rm", "/tmp/svc2-check-fails");
            assertThat(probe(c).status()).isZero();

            // taken down on purpose: not wanted up, so not missing
            It.exec(c, "sv", "down", "/etc/service/svc1");
            It.await(Duration.ofSeconds(10), "svc1 down",
                    () -> HardenedIT.status(c, "/etc/service/svc1").startsWith("down:"));
            assertThat(probe(c)).isEqualTo(new Probe(0, ""));

            // wanted up but down: it crashes at each start
            It.exec(c, "touch", "/tmp/svc1-crashes");
            It.exec(c, "sv", "up", "/etc/service/svc1");
            Probe down = awaitProbe(c, "svc1 reported down", p -> p.status() == 1);
            assertThat(down.out()).isIn("not ready: svc1 (down)\n", "not ready: svc1 (finishing)\n");
        }
    }

    @Test
    void notReadyWhileBootingNorWhileStopping() {
        try (MyInitContainer c = It.myInit(It.image("hardened"))
                .withEnv("BOOT_DELAY", "6")
                .withEnv("STOP_DELAY", "6")
                .waitingFor(Wait.forLogMessage(".*Running /etc/my_init.d/50_boot_delay.*\\n", 1))) {
            c.start();
            assertThat(probe(c)).isEqualTo(new Probe(1, "not ready: the init is booting\n"));
            awaitProbe(c, "healthy after the boot", p -> p.status() == 0);

            It.docker().killContainerCmd(c.getContainerId()).withSignal("TERM").exec();
            awaitProbe(c, "stopping", p -> p.out().equals("not ready: the init is stopping\n"));
            assertThat(c.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        }
    }

    @Test
    void withoutAWritableRunTheProbeSaysSo() {
        try (MyInitContainer c = new HardenedIT.Profile(null, true, List.of("/tmp"), false)
                .apply(It.myInit(It.image("hardened")))
                .withMyInitCommand("--skip-runit", "--", "sleep", "1000")
                .waitingFor(Wait.forLogMessage(".*Running sleep 1000.*\\n", 1))) {
            c.start();
            Probe p = probe(c);
            assertThat(p.status()).isEqualTo(1);
            assertThat(p.out()).startsWith("not ready: no /run/jinit/state, and /run is not writable");
        }
    }

    /** Its cost inside the container, printed for README "Health probe" (loosely bounded here). */
    @Test
    void itsCost() {
        try (MyInitContainer c = container()) {
            c.start();
            awaitProbe(c, "healthy", p -> p.status() == 0);
            int runs = 50;
            String out = It.exec(c, "bash", "-c", "s=$(date +%s%N); for i in $(seq " + runs + "); do "
                    + "/sbin/my_init-health || exit 1; done; e=$(date +%s%N); echo $(( (e - s) / " + runs + " / 1000 ))");
            long micros = Long.parseLong(out.strip());
            System.out.printf("my_init-health: %d us per run (2 services, one ./check), mean of %d%n", micros, runs);
            assertThat(micros).as("µs per probe (goal: ≤ 10 ms; far above it only when the machine is loaded)")
                    .isLessThan(200_000);
        }
    }

    @Test
    void dockerSeesHealthyThenUnhealthy() {
        try (MyInitContainer c = container()) {
            c.start();
            It.await(Duration.ofSeconds(30), "docker health status healthy", () -> "healthy".equals(health(c)));
            It.exec(c, "touch", "/tmp/svc2-check-fails");
            It.await(Duration.ofSeconds(30), "docker health status unhealthy", () -> "unhealthy".equals(health(c)));
            var log = It.docker().inspectContainerCmd(c.getContainerId()).exec().getState().getHealth().getLog();
            assertThat(log.getLast().getOutput()).isEqualTo("not ready: svc2 (./check exited 1)\n");
        }
    }

    static String health(MyInitContainer c) {
        var h = It.docker().inspectContainerCmd(c.getContainerId()).exec().getState().getHealth();
        return h == null ? null : h.getStatus();
    }
}
