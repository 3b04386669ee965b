package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import io.jinit.testcontainers.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.images.builder.Transferable;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Testcontainers helper on the configurations users run: my_init's settings from the
 * environment and the image's ENV, JSON logs, readiness with ./check, --wait-for-services, crash
 * loops, a main command that ends on its own, services() after the exit. Each start() that must
 * fail is timed: it must fail well before the startup timeout, never by running into it.
 */
class HelperIT {

    /** A startup timeout no test should get near: failures must come from the init's state. */
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** How long a start() that has to fail may take at most (far below TIMEOUT). */
    private static final Duration FAILS_WITHIN = Duration.ofSeconds(40);

    private static Transferable script(String body) {
        return Transferable.of("#!/bin/sh\n" + body + "\n", 0755);
    }

    private static MyInitContainer tools() {
        return It.myInit(It.image("tools")).withStartupTimeout(TIMEOUT);
    }

    /** start() must throw; returns the message, checking it came before FAILS_WITHIN. */
    private static String failedStart(MyInitContainer c) {
        long t0 = System.nanoTime();
        Throwable thrown = null;
        try {
            c.start();
        } catch (Throwable t) {
            thrown = t;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(thrown).as("start() must fail").isNotNull();
        StringBuilder all = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        System.out.printf("start() failed after %d ms: %s%n", ms, thrown.getMessage());
        assertThat(ms).as("start() failed after %d ms:\n%s", ms, all).isLessThan(FAILS_WITHIN.toMillis());
        return all.toString();
    }

    @Test
    void skipRunitFromTheEnvironmentDoesNotHang() {
        try (MyInitContainer c = tools().withEnv("MY_INIT_SKIP_RUNIT", "1")
                .withCommand(MyInitContainer.MY_INIT, "--", "sleep", "infinity")) {
            c.start();
            assertThat(It.ps(c)).noneMatch(p -> p.comm().equals("runsvdir")).anyMatch(p -> p.args().equals("sleep infinity"));
        }
    }

    @Test
    void quietFromTheEnvironmentWaitsForTheStartupScriptsThenReturns() {
        try (MyInitContainer c = tools().withEnv("MY_INIT_QUIET", "1")
                .withCopyToContainer(script("sleep 3; touch /var/log/markers/script-done"), "/etc/my_init.d/10_slow")
                .withMyInitCommand("--skip-runit", "--", "sleep", "infinity")) {
            c.start();
            assertThat(It.exists(c, "/var/log/markers/script-done")).as("start() returned after the startup script").isTrue();
            assertThat(It.logs(c).stderrText()).as("quiet: no info lines").doesNotContain("*** Running");
        }
    }

    @Test
    void quietUnderAWrapperInitWaitsForMyInitsOwnChildren() {
        // docker run --init: PID 1 is docker-init (tini), my_init its child; the wait must look at
        // my_init's children, not at the wrapper's (whose child my_init is)
        MyInitContainer c = tools()
                .withCopyToContainer(script("sleep 3; touch /var/log/markers/script-done"), "/etc/my_init.d/10_slow");
        if (It.dockerInitWorks()) {
            c.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true))
                    .withMyInitCommand("--quiet", "--skip-runit", "--", "sleep", "infinity");
        } else {
            c.withCommand("/usr/bin/tini", "--", MyInitContainer.MY_INIT, "--quiet", "--skip-runit", "--", "sleep", "infinity");
        }
        try (c) {
            c.start();
            assertThat(It.ps(c).get(0).comm()).as("PID 1").isNotEqualTo("java");
            assertThat(It.exists(c, "/var/log/markers/script-done")).as("start() returned after the startup script").isTrue();
        }
    }

    @Test
    void jsonLogOnTheCommandLine() {
        try (MyInitContainer c = tools().withMyInitCommand("--log-format=json", "--skip-runit", "--", "sleep", "infinity")) {
            c.start();
            assertThat(It.logs(c).stderrText()).contains("\"event\":\"main.start\"").doesNotContain("*** Running");
        }
    }

    @Test
    void settingsFromTheImageEnv() {
        try (MyInitContainer c = It.myInit(It.image("helper-env")).withStartupTimeout(TIMEOUT)) {
            c.start();
            assertThat(It.logs(c).stderrText()).contains("\"event\":\"main.start\"");
            assertThat(It.ps(c)).noneMatch(p -> p.comm().equals("runsvdir"));
        }
    }

    @Test
    void startWaitsUntilEveryEnabledServicePassesItsCheck() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("sleep 3; touch /tmp/db-ready; exec sleep infinity"), "/etc/service/db/run")
                .withCopyToContainer(script("test -e /tmp/db-ready"), "/etc/service/db/check")
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/web/run")) {
            c.start();
            assertThat(It.exists(c, "/tmp/db-ready")).as("db's ./check passed before start() returned").isTrue();
            assertThat(c.services()).extracting(ServiceStatus::state).containsOnly(ServiceStatus.State.RUN);
        }
    }

    @Test
    void waitingForNamedServicesOnly() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/db/run")
                .withCopyToContainer(script("exit 1"), "/etc/service/db/check")
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/web/run")
                .waitingForServices("web")) {
            c.start(); // db's check never passes, but only web is awaited
            assertThat(c.services()).extracting(ServiceStatus::name).containsExactly("db", "web");
        }
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/db/run")
                .withCopyToContainer(script("exit 1"), "/etc/service/db/check")
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/web/run")
                .waitingForServices("web", "db")
                .withStartupTimeout(Duration.ofSeconds(8))) {
            assertThat(failedStart(c)).contains("service db runs, but its ./check exited 1");
        }
        try (MyInitContainer c = tools().waitingForServices("nosuch")) {
            assertThat(failedStart(c)).contains("no service nosuch in /etc/service");
        }
    }

    @Test
    void waitForServicesFailureIsTheInitsOwnMessage() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/db/run")
                .withCopyToContainer(script("exit 1"), "/etc/service/db/check")
                .withMyInitCommand("--wait-for-services=3s", "--", "sleep", "infinity")) {
            assertThat(failedStart(c)).contains("Services not ready after 3000 ms: db.");
        }
    }

    @Test
    void waitForServicesSuccessReturnsAfterTheInitSaysReady() {
        // the check passes at once when the helper runs it (docker exec: its parent is not PID 1)
        // and only after 4 s when the init runs it: start() must wait for the init's verdict
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("sleep 4; touch /tmp/db-ready; exec sleep infinity"), "/etc/service/db/run")
                .withCopyToContainer(script("[ \"$PPID\" != 1 ] && exit 0; test -e /tmp/db-ready"), "/etc/service/db/check")
                .withEnv("MY_INIT_WAIT_FOR_SERVICES", "60s")
                .withMyInitCommand("--log-format=json", "--", "sleep", "infinity")) {
            c.start();
            assertThat(It.logs(c).stderrText()).contains("\"event\":\"services.ready\"");
            assertThat(It.exists(c, "/tmp/db-ready")).isTrue();
        }
    }

    @Test
    void crashLoopingServiceFailsEarlyNamingIt() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("echo crashy starts; exit 1"), "/etc/service/crashy/run")
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/fine/run")) {
            String m = failedStart(c);
            assertThat(m).contains("service crashy is crash-looping").doesNotContain("service fine");
        }
    }

    @Test
    void nonExecutableRunIsNamed() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(Transferable.of("#!/bin/sh\nexec sleep infinity\n", 0644), "/etc/service/web/run")) {
            assertThat(failedStart(c)).contains("/etc/service/web/run is not executable");
        }
    }

    @Test
    void mainCommandEndingOnItsOwnPointsToExpectingExit() {
        // the slow service keeps start() waiting, so the main command's exit always comes first
        try (MyInitContainer c = tools()
                .withCopyToContainer(script("exec sleep infinity"), "/etc/service/slow/run")
                .withCopyToContainer(script("exit 1"), "/etc/service/slow/check")
                .withMyInitCommand("--", "sh", "-c", "exit 3")) {
            String m = failedStart(c);
            assertThat(m).contains("the main command exited on its own", "sh exited with status 3.",
                    "my_init exited with status 3", "expectingExit()");
            assertThat(m).doesNotContain("before my_init finished booting");
        }
    }

    @Test
    void servicesOfAStoppedContainerIsAnIllegalStateException() {
        try (MyInitContainer c = tools().withMyInitCommand("--skip-runit", "--", "true").expectingExit()) {
            c.start();
            assertThat(c.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThatThrownBy(c::services).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs a running container");
        }
    }

    @Test
    void crlfStartupScriptNamesTheMissingInterpreter() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(Transferable.of("#!/bin/sh\r\necho hi\r\n", 0755), "/etc/my_init.d/10_crlf")) {
            String m = failedStart(c);
            assertThat(m).contains("a startup script failed", "bad interpreter \"/bin/sh\\r\"", "CRLF");
        }
    }

    @Test
    void nonExecutableStartupScriptIsSkippedWithADebugLine() {
        try (MyInitContainer c = tools()
                .withCopyToContainer(Transferable.of("#!/bin/sh\ntouch /var/log/markers/ran\n", 0644), "/etc/my_init.d/10_plain")
                .withMyInitCommand("-v", "--skip-runit", "--", "sleep", "infinity")) {
            c.start();
            assertThat(It.logs(c).stderrText())
                    .contains("*** Skipping /etc/my_init.d/10_plain: not executable (chmod +x it to run it).");
            assertThat(It.exists(c, "/var/log/markers/ran")).isFalse();
        }
        try (MyInitContainer c = tools()
                .withCopyToContainer(Transferable.of("#!/bin/sh\ntrue\n", 0644), "/etc/my_init.d/10_plain")
                .withMyInitCommand("--skip-runit", "--", "sleep", "infinity")) {
            c.start();
            assertThat(It.logs(c).stderrText()).as("debug only").doesNotContain("Skipping");
        }
    }

    @Test
    void helpVersionAndErrors() {
        try (MyInitContainer c = tools().withMyInitCommand("--help").expectingExit()) {
            c.start();
            assertThat(c.awaitExit(Duration.ofSeconds(60))).isZero();
            String out = It.logs(c).stdoutText();
            List<String> lines = out.lines().toList();
            assertThat(lines).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
            assertThat(lines).anyMatch(l -> l.contains("[--wait-for-services[=TIMEOUT]]"))
                    .anyMatch(l -> l.contains("[--wait-for-descendants[=TIMEOUT]]"))
                    .anyMatch(l -> l.contains("[-- MAIN_COMMAND [ARG...]]"));
            assertThat(out).contains("Exit status:");
            for (String status : List.of("0", "N", "128+S", "1", "2", "124", "126", "127")) {
                assertThat(lines).as("exit status " + status).anyMatch(l -> l.startsWith("  " + status + " "));
            }
        }
        try (MyInitContainer c = tools().withMyInitCommand("--version").expectingExit()) {
            c.start();
            assertThat(c.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(It.logs(c).stdoutText().lines().findFirst().orElse(""))
                    .matches("jinit \\S+ \\(commit [0-9a-f]{7,}(-dirty)?, built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)");
        }
        for (String[] bad : List.of(new String[] {"--bogus"}, new String[] {"--kill-all=sometimes"})) {
            try (MyInitContainer c = tools().withMyInitCommand(bad).expectingExit()) {
                c.start();
                assertThat(c.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
                assertThat(It.logs(c).stderrText()).as(bad[0]).startsWith("*** my_init: ");
            }
        }
    }
}
