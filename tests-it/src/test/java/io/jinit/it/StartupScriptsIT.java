package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ContainerLaunchException;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Startup scripts: every regular, executable entry of /etc/my_init.d in byte-wise order
 * (dot-files included), non-executable files and directories skipped, /etc/rc.local last, then
 * the main command; a failing script ends the boot with status 1 and the main command never runs.
 */
class StartupScriptsIT {

    static final List<String> ALL_IN_ORDER =
            List.of(".hidden", "10_first", "20_second", "B_upper", "a_lower", "~tilde", "é_accent", "rc.local");

    @Test
    void runInByteOrderSkippingNonExecutablesThenRcLocalThenMain() {
        try (MyInitContainer c = It.myInit(It.image("startup")).withMyInitCommand("--", "startup-main")) {
            c.start();
            It.await(Duration.ofSeconds(30), "the main command", () -> It.readText(c, "/var/log/markers/order").contains("main\n"));
            List<String> order = It.readText(c, "/var/log/markers/order").lines().toList();
            List<String> expected = new java.util.ArrayList<>(ALL_IN_ORDER);
            expected.add("main");
            assertThat(order).as("what ran, in order (30_not_executable and 40_a_directory skipped)")
                    .containsExactlyElementsOf(expected);
            String stderr = It.logs(c).stderrText();
            assertThat(stderr).contains("*** Running /etc/my_init.d/.hidden...", "*** Running /etc/rc.local...");
            assertThat(stderr).doesNotContain("30_not_executable", "40_a_directory");
            assertThat(c.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
        }
    }

    @Test
    void aFailingScriptExits1AndTheMainCommandDoesNotRun() {
        try (MyInitContainer c = It.myInit(It.image("startup")).withMyInitCommand("--", "startup-main")
                .withEnv("FAIL_AT", "20_second").expectingExit()) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            String stderr = It.logs(c).stderrText();
            assertThat(status).as("stderr:\n%s", stderr).isEqualTo(1);
            assertThat(It.readText(c, "/var/log/markers/order").lines().toList())
                    .as("nothing after the failing script ran, not the main command")
                    .containsExactly(".hidden", "10_first", "20_second");
            assertThat(stderr).contains("*** /etc/my_init.d/20_second failed with status 3");
            assertThat(stderr).doesNotContain("*** Running startup-main");
        }
    }

    @Test
    void theBootWaitReportsAFailedBootInsteadOfWaitingItsTimeout() {
        try (MyInitContainer c = It.myInit(It.image("startup")).withEnv("FAIL_AT", "10_first")) {
            long t0 = System.nanoTime();
            assertThatThrownBy(c::start)
                    .isInstanceOf(ContainerLaunchException.class)
                    .satisfies(e -> assertThat(causes(e)).contains("exited with status 1 before my_init finished booting"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        }
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
