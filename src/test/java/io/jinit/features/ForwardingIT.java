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
import java.util.List;

import static io.jinit.features.Fixtures.FORWARDED;
import static io.jinit.features.Fixtures.awaitLine;
import static io.jinit.features.Fixtures.trappingMain;
import static io.jinit.features.Fixtures.withMain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HUP, QUIT, USR1, USR2, WINCH, ALRM, CONT and TSTP sent to the init reach the main
 * command's process group (default), the main process alone ({@code --forward-signals=process}),
 * or nobody ({@code none}); in runit-only mode they go to runsvdir.
 */
@Timeout(240)
class ForwardingIT {
    @TempDir
    Path root;

    @Test
    void eachSignalReachesTheMainCommandsWholeProcessGroup() throws Exception {
        List<String> main = trappingMain(root, FORWARDED);
        try (Running init = Init.in(root).asPid1().args(withMain(main, "-v", "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            for (String s : FORWARDED) {
                init.signal(s);
                awaitLine(init, root.resolve("main.got"), s);
                awaitLine(init, root.resolve("child.got"), s);
            }
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactlyElementsOf(FORWARDED);
            assertThat(Shell.lines(root.resolve("child.got"))).containsExactlyElementsOf(FORWARDED);
        }
    }

    @Test
    void tstpStopsTheMainCommandAndContResumesIt() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                echo $$ > $M/main.pid
                while [ ! -f $M/stop ]; do sleep 0.1; done
                exit 3
                """);
        try (Running init = Init.in(root).args("--skip-runit", "--", "sh", root.resolve("main.sh").toString()).start()) {
            long mainPid = Shell.pidFrom(root.resolve("main.pid"), Fixtures.SOON);
            init.signal("TSTP");
            Shell.await("main (PID " + mainPid + ") to be stopped", Fixtures.SOON, () -> Shell.state(mainPid).equals("T"));
            Files.createFile(root.resolve("stop"));
            init.signal("CONT");
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(3);
        }
    }

    @Test
    void processModeSignalsTheMainProcessOnly() throws Exception {
        List<String> main = trappingMain(root, FORWARDED);
        try (Running init = Init.in(root).asPid1().args(withMain(main, "-v", "--skip-runit", "--forward-signals=process")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            for (String s : FORWARDED) {
                init.signal(s);
                awaitLine(init, root.resolve("main.got"), s);
            }
            awaitReceived(init, FORWARDED);
            Thread.sleep(200); // a group forward reaches the child with the main process; its trap would have written
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactlyElementsOf(FORWARDED);
            assertThat(root.resolve("child.got")).as("the main command's child got nothing").doesNotExist();
        }
    }

    @Test
    void noneForwardsNothingAndTheInitSurvivesEverySignal() throws Exception {
        List<String> main = trappingMain(root, FORWARDED);
        try (Running init = Init.in(root).asPid1().args(withMain(main, "-v", "--skip-runit", "--forward-signals=none")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            for (String s : FORWARDED) init.signal(s);
            init.signal("TSTP");
            List<String> all = new java.util.ArrayList<>(FORWARDED);
            all.add("TSTP");
            // the init has taken in every signal (it logs each before it routes it)...
            awaitReceived(init, all);
            // ...and is neither stopped by TSTP nor gone
            assertThat(Shell.state(init.initPid())).as("the init's state after TSTP (T: stopped)").isIn("S", "R");
            assertThat(init.alive()).isTrue();
            Thread.sleep(200); // what a forward would have made the traps write, they would have written by now
            assertThat(root.resolve("main.got")).doesNotExist();
            assertThat(root.resolve("child.got")).doesNotExist();
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
        }
    }

    @Test
    void envDefaultSelectsProcessMode() throws Exception {
        List<String> main = trappingMain(root, List.of("USR1"));
        try (Running init = Init.in(root).asPid1().env("MY_INIT_FORWARD_SIGNALS", "process")
                .args(withMain(main, "-v", "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("USR1");
            awaitLine(init, root.resolve("main.got"), "USR1");
            awaitReceived(init, List.of("USR1"));
            Thread.sleep(200);
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(root.resolve("child.got")).doesNotExist();
        }
    }

    @Test
    void inRunitOnlyModeHupGoesToRunsvdirWhichStopsTheServices() throws Exception {
        Shell.script(root.resolve("etc/service/a/run"), """
                echo $$ > %1$s/a.pid
                exec sleep 1000
                """.formatted(root));
        try (Running init = Init.in(root).asPid1().args("-v").start()) {
            Shell.awaitFile(root.resolve("a.pid"), init);
            Shell.await("service a to run", Fixtures.SOON,
                    () -> Shell.lines(root.resolve("etc/service/a/supervise/stat")).contains("run"));
            init.signal("HUP");
            Result r = init.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(111);
            assertThat(r.stderrLines()).contains("*** Runit exited with status 111");
        }
    }

    @Test
    void inRunitOnlyModeRewriteAppliesToo() throws Exception {
        Shell.script(root.resolve("etc/service/a/run"), """
                echo $$ > %1$s/a.pid
                exec sleep 1000
                """.formatted(root));
        try (Running init = Init.in(root).asPid1().args("-v", "--rewrite", "HUP:0").start()) {
            Shell.awaitFile(root.resolve("a.pid"), init);
            Shell.await("service a to run", Fixtures.SOON,
                    () -> Shell.lines(root.resolve("etc/service/a/supervise/stat")).contains("run"));
            init.signal("HUP");
            Shell.await("the init's 'Dropped SIGHUP.' line", Duration.ofSeconds(20),
                    () -> init.stderr().contains("*** Dropped SIGHUP."));
            assertThat(init.alive()).as("runsvdir did not get the HUP, so it did not exit 111").isTrue();
            assertThat(Shell.lines(root.resolve("etc/service/a/supervise/stat"))).contains("run");
            init.signal("TERM");
            Result r = init.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderrLines()).doesNotContain("*** Runit exited with status 111");
        }
    }

    /** Waits (20 s at most) until the init has logged {@code *** Received SIGx.} for each signal ({@code -v}). */
    private static void awaitReceived(Running init, List<String> signals) throws InterruptedException {
        Shell.await("the init's 'Received' lines for " + signals, Duration.ofSeconds(20), () -> {
            String err = init.stderr();
            return signals.stream().allMatch(sig -> err.contains("*** Received SIG" + sig + "."));
        });
    }
}
