package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.jinit.features.Fixtures.awaitLine;
import static io.jinit.features.Fixtures.trappingMain;
import static io.jinit.features.Fixtures.withMain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, feature 1 (QUIT): {@code --signal-mode=signalfd} re-executes the JVM with the signals
 * blocked and {@code -Xrs} and reads them from a signalfd, so SIGQUIT is forwarded like the
 * others (no thread dump), while TERM still aborts and the init keeps its PID.
 */
@Timeout(300)
class SignalFdIT {
    @TempDir
    Path root;

    @Test
    void quitAndEveryForwardedSignalReachTheMainCommandsGroup() throws Exception {
        List<String> signals = new ArrayList<>(Fixtures.FORWARDED);
        signals.add("QUIT");
        List<String> main = trappingMain(root, signals);
        try (Running init = Init.in(root).asPid1().args(withMain(main, "-v", "--signal-mode=signalfd", "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            for (String s : signals) {
                init.signal(s);
                awaitLine(init, root.resolve("main.got"), s);
                awaitLine(init, root.resolve("child.got"), s);
            }
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(r.stdout()).as("no HotSpot thread dump").doesNotContain("Full thread dump");
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactlyElementsOf(signals);
        }
    }

    @Test
    void theInitIsReExecutedInPlaceWithXrsAndLeaksNothingToChildren() throws Exception {
        Result r = Init.in(root).asPid1().env("MY_INIT_SIGNAL_MODE", "signalfd").args("--skip-runit", "--", "sh", "-c",
                "tr '\\0' ' ' < /proc/1/cmdline > $M/cmdline; env > $M/env; grep SigBlk /proc/self/status > $M/mask; "
                        + "sleep 2; cat /proc/1/task/*/status | grep SigBlk > $M/init-masks").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Files.readString(root.resolve("cmdline"))).as("the init is still PID 1, now with -Xrs")
                .contains("/bin/java -Xrs -Djinit.signalfd=1");
        assertThat(Shell.lines(root.resolve("env"))).noneMatch(l -> l.startsWith("_JAVA_SR_SIGNUM="));
        assertThat(Shell.lines(root.resolve("mask"))).as("the main command starts with an empty mask")
                .containsExactly("SigBlk:\t0000000000000000");
        // every thread of the init, including those HotSpot started after the boot, blocks the signals
        long want = io.jinit.process.SignalFd.mask();
        assertThat(Shell.lines(root.resolve("init-masks"))).hasSizeGreaterThan(5).allSatisfy(line ->
                assertThat(Long.parseUnsignedLong(line.substring(7).strip(), 16) & want).as(line).isEqualTo(want));
    }

    @Test
    void onlyTheInitsOwnOptionOrVariableSelectsTheMode() throws Exception {
        String cmdline = "tr '\\0' ' ' < /proc/1/cmdline > $M/cmdline";
        Result r = Init.in(root).asPid1().args("--skip-runit", "--", "sh", "-c", cmdline, "--signal-mode=signalfd").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Files.readString(root.resolve("cmdline"))).doesNotContain("-Xrs");
        r = Init.in(root).asPid1().env("MY_INIT_SIGNAL_MODE", "signalfd")
                .args("--signal-mode", "handlers", "--skip-runit", "--", "sh", "-c", cmdline).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Files.readString(root.resolve("cmdline"))).as("the command line wins").doesNotContain("-Xrs");
    }

    @Test
    void termStillAbortsAndTheStopSignalCanBeQuit() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                for s in QUIT TERM; do trap "echo $s >> $M/main.got; exit 0" $s; done
                touch $M/main.ready
                while :; do sleep 0.1; done
                """);
        try (Running init = Init.in(root).asPid1().args("--signal-mode", "signalfd", "--rewrite", "TERM:QUIT", "--skip-runit",
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
    void quitCanBeRewrittenOnlyInSignalfdMode() throws Exception {
        List<String> main = trappingMain(root, List.of("HUP", "QUIT"));
        try (Running init = Init.in(root).asPid1().env("MY_INIT_SIGNAL_MODE", "signalfd")
                .args(withMain(main, "-v", "--rewrite", "QUIT:HUP", "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("QUIT");
            awaitLine(init, root.resolve("main.got"), "HUP");
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactly("HUP");
        }
        Result handlers = Init.in(root).args("--rewrite", "QUIT:HUP", "--skip-runit", "--", "true").run();
        assertThat(handlers.exitCode()).as(handlers.describe()).isEqualTo(2);
        assertThat(handlers.stderr()).contains("--rewrite: SIGQUIT is never forwarded (unless --signal-mode=signalfd)");
    }

    @Test
    void bootCost() throws Exception {
        int runs = 5;
        long[][] ms = new long[2][runs];
        for (int i = 0; i < runs; i++) {
            for (int m = 0; m < 2; m++) {
                Result r = Init.in(root).args("--signal-mode=" + (m == 0 ? "handlers" : "signalfd"), "--quiet",
                        "--skip-runit", "--", "true").run();
                assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
                ms[m][i] = r.elapsed().toMillis();
            }
        }
        for (long[] a : ms) java.util.Arrays.sort(a);
        System.out.printf("SignalFdIT boot cost: median of %d runs of my_init --skip-runit -- true: handlers %d ms, "
                + "signalfd %d ms%n", runs, ms[0][runs / 2], ms[1][runs / 2]);
    }
}
