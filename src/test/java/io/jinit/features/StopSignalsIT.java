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
        quitDuringTheStop(2, "--skip-runit");
    }

    @Test
    void quitDuringTheStopAfterTheMainTimeoutReachesTheMainCommand() throws Exception {
        quitDuringTheStop(124, "--skip-runit", "--main-timeout", "1s");
    }

    /**
     * Starts {@link #quitEndsMain()} with {@code args}; without {@code --main-timeout} the test
     * sends TERM to start the stop. Once the main command has its TERM, QUIT sent to the init
     * must reach it (it then exits), long before the KILL.
     */
    private void quitDuringTheStop(int exitStatus, String... args) throws Exception {
        Path main = quitEndsMain();
        boolean timeout = java.util.Arrays.asList(args).contains("--main-timeout");
        try (Running init = Init.in(root).asPid1().env("KILL_PROCESS_TIMEOUT", KILL_TIMEOUT)
                .args(Fixtures.withMain(java.util.List.of("sh", main.toString()), args)).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            if (!timeout) init.signal("TERM");
            Shell.await("the main command's TERM", Duration.ofSeconds(30),
                    () -> Shell.lines(root.resolve("main.got")).contains("TERM"));
            long t0 = System.nanoTime();
            init.signal("QUIT");
            stoppedByItself(init.await(), t0, exitStatus, "TERM", "QUIT");
        }
    }

    /**
     * The main command stopped by itself (no KILL) within 10 s of {@code t0}, having noted
     * {@code got}; the init exited {@code exitStatus}.
     */
    private void stoppedByItself(Result r, long t0, int exitStatus, String... got) {
        assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe()).containsExactly(got);
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(exitStatus);
        assertThat(r.stderr()).as(r.describe()).doesNotContain("did not shut down in time");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(r.describe()).isLessThan(Duration.ofSeconds(10));
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
            stoppedByItself(init.await(), t0, 2, "TERM");
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
            long t0 = System.nanoTime();
            init.signal("TERM");
            stoppedByItself(init.await(), t0, 2, "TERM", "bye");
        }
    }
}
