package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.jinit.features.Fixtures.awaitLine;
import static io.jinit.features.Fixtures.trappingMain;
import static io.jinit.features.Fixtures.withMain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The init's signal intake: the launcher execs the JVM with the init's signals blocked and
 * {@code -Xrs}, and the init reads them from a signalfd, so SIGQUIT can be forwarded like the
 * others (no thread dump; every forwarded signal reaching the group is {@code ForwardingIT}'s), a
 * signal sent while the JVM starts waits instead of being lost, TERM aborts, and a JVM started
 * without the launcher re-executes itself the launcher's way.
 */
@Timeout(300)
class SignalFdIT {
    /**
     * The signals the launcher blocks and the signalfd reads, written out here (not taken from the
     * product): HUP 1, INT 2, QUIT 3, USR1 10, USR2 12, ALRM 14, TERM 15, CONT 18, TSTP 20, TTIN 21,
     * TTOU 22, WINCH 28; bit n-1 for signal n, as /proc/PID/status shows SigBlk.
     */
    static final long BLOCKED = (1L << 0) | (1L << 1) | (1L << 2) | (1L << 9) | (1L << 11) | (1L << 13) | (1L << 14)
            | (1L << 17) | (1L << 19) | (1L << 20) | (1L << 21) | (1L << 27);

    @TempDir
    Path root;

    @Test
    void theLauncherExecsTheJvmWithTheSignalsBlockedAndLeaksNothingToChildren() throws Exception {
        Result r = Init.in(root).asPid1().args("--skip-runit", "--", "sh", "-c",
                "tr '\\0' ' ' < /proc/1/cmdline > $M/cmdline; readlink /proc/1/exe > $M/exe; env > $M/env; grep SigBlk /proc/self/status > $M/mask; "
                        + "sleep 2; cat /proc/1/task/*/status | grep SigBlk > $M/init-masks").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        // PID 1 is the JVM, started through the launcher (it then shows the command line the
        // launcher was given), not re-executed (which would show the JVM's own)
        assertThat(Files.readString(root.resolve("exe")).strip()).as("PID 1 is the JVM").endsWith("/bin/java");
        assertThat(Files.readString(root.resolve("cmdline"))).as("PID 1 was started by the launcher")
                .startsWith(Init.binary() + " --root ").doesNotContain("-Djinit.signalfd", "-Xrs");
        assertThat(Shell.lines(root.resolve("env"))).noneMatch(l -> l.startsWith("_JAVA_SR_SIGNUM="));
        assertThat(Shell.lines(root.resolve("mask"))).as("the main command starts with an empty mask")
                .containsExactly("SigBlk:\t0000000000000000");
        // every thread of the init, including those HotSpot started after the boot, blocks the signals
        long want = BLOCKED;
        assertThat(Shell.lines(root.resolve("init-masks"))).hasSizeGreaterThan(5).allSatisfy(line ->
                assertThat(Long.parseUnsignedLong(line.substring(7).strip(), 16) & want).as(line).isEqualTo(want));
    }

    @Test
    void aJvmStartedWithoutTheLauncherReExecutesItselfWithTheSignalsBlocked() throws Exception {
        Path image = Init.binary().getParent().getParent();
        List<String> cmd = List.of("env", "--default-signal", "unshare", "-p", "-f", "--mount-proc",
                image.resolve("bin/java").toString(), "-m", "io.jinit/io.jinit.cli.MyInit", "--root", root.toString(),
                "--skip-runit", "--", "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline > " + root.resolve("cmdline")
                        + "; grep SigBlk /proc/1/status > " + root.resolve("mask") + "; env > " + root.resolve("env"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isEqualTo(0);
        assertThat(Files.readString(root.resolve("cmdline"))).as("the same PID, now with -Xrs")
                .contains("/bin/java -Xrs -Djinit.signalfd=1");
        long blocked = Long.parseUnsignedLong(Shell.lines(root.resolve("mask")).getFirst().substring(7).strip(), 16);
        assertThat(blocked & BLOCKED).isEqualTo(BLOCKED);
        assertThat(Shell.lines(root.resolve("env"))).noneMatch(l -> l.startsWith("_JAVA_SR_SIGNUM="));
    }

    @Test
    void handlersModeIsGoneWithAOneLineError() throws Exception {
        Result r = Init.in(root).env("MY_INIT_SIGNAL_MODE", "handlers").args("--skip-runit", "--", "true").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.stderrLines()).hasSize(1).first().asString().contains("--signal-mode: handlers was removed");
        r = Init.in(root).args("--signal-mode=signalfd", "--skip-runit", "--", "true").run();
        assertThat(r.exitCode()).as("signalfd, the only mode, is still accepted; " + r.describe()).isEqualTo(0);
    }

    @Test
    void termStillAbortsAndTheStopSignalCanBeQuit() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                for s in QUIT TERM; do trap "echo $s >> $M/main.got; exit 0" $s; done
                touch $M/main.ready
                while :; do sleep 0.1; done
                """);
        try (Running init = Init.in(root).asPid1().args("--rewrite", "TERM:QUIT", "--skip-runit",
                "--", "sh", root.resolve("main.sh").toString()).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("TERM");
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderrLines()).contains("*** Init system aborted.");
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactly("QUIT");
        }
    }

    @Test
    void quitCanBeRewritten() throws Exception {
        List<String> main = trappingMain(root, List.of("HUP", "QUIT"));
        try (Running init = Init.in(root).asPid1().args(withMain(main, "-v", "--rewrite", "QUIT:HUP", "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("QUIT");
            awaitLine(init, root.resolve("main.got"), "HUP");
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactly("HUP");
        }
    }

    @Test
    void aTermSentAtTheExecWaitsAndAborts() throws Exception {
        // the TERM arrives while the JVM starts, before any Java code runs: blocked, it waits
        for (int i = 0; i < 5; i++) {
            try (Running init = Init.in(root).asPid1().args("--skip-runit", "--", "sleep", "1000").start()) {
                // as soon as the launcher's first stage has blocked the signals (before that, the
                // process is still unshare's child, a PID 1 without handlers, and drops a TERM)
                long pid = init.initPid();
                long want = BLOCKED;
                Shell.await("the launcher blocks the signals", Duration.ofSeconds(20), () -> {
                    try {
                        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                            if (line.startsWith("SigBlk:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & want) == want;
                        }
                    } catch (java.io.IOException gone) {
                        return false;
                    }
                    return false;
                });
                String stage = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
                Shell.kill("TERM", pid);
                System.out.println("SignalFdIT: TERM sent while PID 1 was: " + stage);
                Result r = init.await();
                assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
                assertThat(r.stderrLines()).as(r.describe()).contains("*** Init system aborted.");
                // early, not merely late: the TERM ended the boot before the main command started
                assertThat(r.stderr()).as("the main command was never started; " + r.describe())
                        .doesNotContain("*** Running sleep 1000...").doesNotContain("Shutting down sleep");
            }
        }
    }
}
