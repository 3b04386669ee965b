package io.jinit.features;

import io.jinit.it.MyInitRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGSEGV, SIGBUS, SIGFPE and SIGILL: HotSpot handles them itself and takes every one it does not
 * expect for a crash of the JVM. One sent with kill(2) (a chaos tool, a mistyped
 * {@code docker kill -s}) must be treated like any other signal: logged with -v and forwarded to
 * the main command, the init goes on. A real fault of the init still ends it, with HotSpot's
 * report on stderr (never a file in the working directory), a non-zero status, and no loop.
 */
@Timeout(120)
class FaultSignalsIT {
    @TempDir
    Path root;

    @Test
    void faultSignalsSentWithKillAreForwardedAndTheInitGoesOn() {
        // the main command traps each signal and sends it to PID 1 (the init) in turn
        String script = "for s in SEGV BUS FPE ILL; do trap \"echo got $s\" $s; done;"
                + " for s in SEGV BUS FPE ILL; do kill -s $s 1; sleep 0.3; done; echo done";
        Init.Result r = Init.in(root).asPid1().args("-v", "--skip-runit", "--", "sh", "-c", script).run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).isEqualTo("got SEGV\ngot BUS\ngot FPE\ngot ILL\ndone\n");
        assertThat(r.stderrLines()).as(r.describe())
                .contains("*** Received SIGSEGV.", "*** Received SIGBUS.", "*** Received SIGFPE.", "*** Received SIGILL.");
        assertThat(r.stderr()).doesNotContain("fatal error");
    }

    @Test
    void aRealFaultEndsTheInitWithAReportOnStderrAndNoFile() throws Exception {
        // the bare JVM of the image with the test-only hook; it re-executes itself as the launcher
        // would (signals blocked, -Xrs), installs the relay, parses its options, then reads address 8
        Path java = MyInitRun.binary().resolveSibling("java");
        Path err = root.resolve("stderr");
        Path cwd = Files.createDirectory(root.resolve("cwd"));
        Process p = new ProcessBuilder(List.of("unshare", "-p", "-f", "--kill-child", "--mount-proc", java.toString(),
                "-Djinit.test.fault=start:segv", "-m", "io.jinit/io.jinit.cli.MyInit", "--skip-runit", "--", "sleep", "100"))
                .directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the init ended (no fault loop)").isTrue();
        String stderr = Files.readString(err, StandardCharsets.ISO_8859_1);
        assertThat(p.exitValue()).as(stderr).isNotZero();
        assertThat(stderr).contains("A fatal error has been detected by the Java Runtime Environment", "SIGSEGV");
        try (var files = Files.list(cwd)) {
            assertThat(files.toList()).as("files the crash left in the working directory").isEmpty();
        }
    }
}
