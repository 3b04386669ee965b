package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --main-timeout DURATION} stops a main command that runs too long; exit 124. */
@Timeout(240)
class MainTimeoutIT {
    @TempDir
    Path root;

    @Test
    void aMainCommandThatRunsTooLongIsStoppedAndTheInitExits124() throws Exception {
        Result r = Init.in(root).asPid1().args("--skip-runit", "--main-timeout", "1s", "--", "sleep", "100").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(124);
        assertThat(r.stderrLines()).as(r.describe())
                .contains("*** sleep ran longer than --main-timeout (1000 ms).")
                .anyMatch(l -> l.matches("\\*\\*\\* Shutting down sleep \\(PID \\d+\\)\\.\\.\\."))
                .noneMatch(l -> l.contains("did not shut down in time"));
        assertThat(r.elapsed()).as(r.describe()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void theStopUsesTheStopSignal() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                for s in TERM USR1; do trap "echo $s >> $M/main.got; exit 0" $s; done
                while :; do sleep 0.1; done
                """);
        Result r = Init.in(root).asPid1().env("MY_INIT_MAIN_TIMEOUT", "1500ms")
                .args("--skip-runit", "--stop-signal", "USR1", "--", "sh", root.resolve("main.sh").toString()).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(124);
        assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe()).containsExactly("USR1");
    }

    @Test
    void aMainCommandThatEndsInTimeKeepsItsStatus() throws Exception {
        Result r = Init.in(root).asPid1().args("--skip-runit", "--main-timeout=1m", "--", "sh", "-c", "exit 6").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(6);
        assertThat(r.stderr()).doesNotContain("--main-timeout");
    }
}
