package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signals while the main command is being stopped (after SIGTERM, or after {@code --main-timeout}),
 * during the {@code KILL_PROCESS_TIMEOUT} it is given: they are still forwarded until it has
 * exited (QUIT for a thread dump of an app that hangs on shutdown); the stop signal is followed
 * by CONT, so a stopped (TSTP) main command stops at once; a second TERM changes nothing in the
 * stop (README "Signals").
 */
@Timeout(240)
class StopSignalsIT {
    /** Long enough that a test that runs into the KILL fails on its elapsed-time and log asserts. */
    private static final String KILL_TIMEOUT = "12";

    @TempDir
    Path root;

    /** A main command that notes TERM and goes on, and exits 3 on QUIT. */
    private Path quitEndsMain() throws Exception {
        return Shell.script(root.resolve("main.sh"), """
                trap "echo TERM >> $M/main.got" TERM
                trap "echo QUIT >> $M/main.got; exit 3" QUIT
                touch $M/main.ready
                while :; do sleep 0.1; done
                """);
    }

    @Test
    void quitDuringTheStopAfterTermReachesTheMainCommand() throws Exception {
        Path main = quitEndsMain();
        try (Running init = Init.in(root).asPid1().env("KILL_PROCESS_TIMEOUT", KILL_TIMEOUT)
                .args("--skip-runit", "--", "sh", main.toString()).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("TERM");
            Shell.await("the main command's TERM", Duration.ofSeconds(20),
                    () -> Shell.lines(root.resolve("main.got")).contains("TERM"));
            long t0 = System.nanoTime();
            init.signal("QUIT");
            Result r = init.await();
            assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe()).containsExactly("TERM", "QUIT");
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderr()).as(r.describe()).doesNotContain("did not shut down in time");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(r.describe()).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void quitDuringTheStopAfterTheMainTimeoutReachesTheMainCommand() throws Exception {
        Path main = quitEndsMain();
        try (Running init = Init.in(root).asPid1().env("KILL_PROCESS_TIMEOUT", KILL_TIMEOUT)
                .args("--skip-runit", "--main-timeout", "1s", "--", "sh", main.toString()).start()) {
            Shell.await("the main command's TERM after --main-timeout", Duration.ofSeconds(30),
                    () -> Shell.lines(root.resolve("main.got")).contains("TERM"));
            long t0 = System.nanoTime();
            init.signal("QUIT");
            Result r = init.await();
            assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe()).containsExactly("TERM", "QUIT");
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(124);
            assertThat(r.stderr()).as(r.describe()).doesNotContain("did not shut down in time");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(r.describe()).isLessThan(Duration.ofSeconds(10));
        }
    }

    /** Not PID 1 (as nobody), so that the test sees the main command's PID and its state. */
    @Test
    void aStoppedMainCommandGetsContAfterTheStopSignal() throws Exception {
        Path main = Shell.script(root.resolve("main.sh"), """
                trap "echo TERM >> $M/main.got; exit 0" TERM
                echo $$ > $M/main.pid
                while :; do sleep 0.1; done
                """);
        try (Running init = Init.in(root).env("KILL_PROCESS_TIMEOUT", KILL_TIMEOUT)
                .args("--skip-runit", "--", "sh", main.toString()).start()) {
            long pid = Shell.pidFrom(root.resolve("main.pid"), Duration.ofSeconds(30));
            init.signal("TSTP");
            Shell.await("the main command stopped by the forwarded TSTP", Duration.ofSeconds(20),
                    () -> "T".equals(Shell.state(pid)));
            long t0 = System.nanoTime();
            init.signal("TERM");
            Result r = init.await();
            assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe()).containsExactly("TERM");
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderr()).as(r.describe()).doesNotContain("did not shut down in time");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(r.describe()).isLessThan(Duration.ofSeconds(10));
        }
    }

    /** README "Signals": a second TERM during the stop is neither forwarded nor an early KILL. */
    @Test
    void aSecondTermDuringTheStopChangesNothing() throws Exception {
        Path main = Shell.script(root.resolve("main.sh"), """
                trap "echo TERM >> $M/main.got; touch $M/term" TERM
                touch $M/main.ready
                while [ ! -f $M/term ]; do sleep 0.1; done
                sleep 2
                echo bye >> $M/main.got
                exit 0
                """);
        try (Running init = Init.in(root).asPid1().env("KILL_PROCESS_TIMEOUT", KILL_TIMEOUT)
                .args("--skip-runit", "--", "sh", main.toString()).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("TERM");
            Shell.awaitFile(root.resolve("term"), init);
            init.signal("TERM");
            Result r = init.await();
            assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe()).containsExactly("TERM", "bye");
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderr()).as(r.describe()).doesNotContain("did not shut down in time");
        }
    }
}
