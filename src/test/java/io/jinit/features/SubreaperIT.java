package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import io.jinit.it.MyInitRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the init is not PID 1 it is a child subreaper (orphans of the main
 * command are reparented to it) and kill-all ({@code --kill-all=auto}) signals only its own
 * descendants; {@code never} and {@code --no-kill-all-on-exit} leave them alone; {@code always}
 * signals every process (tested only inside a PID namespace, where that is safe). Outside a
 * namespace the init, and the sibling that must survive it, run as nobody (see {@link Init}).
 */
@Timeout(240)
class SubreaperIT {
    @TempDir
    Path root;

    /** Processes this test started or let survive on purpose; KILLed after each test. */
    private final List<Long> cleanup = new ArrayList<>();
    private final List<Process> siblings = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        cleanup.forEach(Shell::killQuietly);
        siblings.forEach(Process::destroyForcibly);
    }

    /**
     * A process the test starts itself, next to the init: not a descendant of it. It runs as
     * nobody, like the init, so that an init that signals more than its descendants (kill(-1))
     * could kill it.
     */
    private Process sibling() throws Exception {
        List<String> cmd = new ArrayList<>(MyInitRun.asNobody(root));
        cmd.addAll(List.of("sleep", "120"));
        Process p = new ProcessBuilder(cmd).start();
        siblings.add(p);
        return p;
    }

    @Test
    void orphansOfTheMainCommandAreReparentedToTheInitAndKilledAtExit() throws Exception {
        Process sibling = sibling();
        Shell.script(root.resolve("main.sh"), """
                (sleep 120 & echo $! > $M/orphan.pid)
                while [ ! -f $M/stop ]; do sleep 0.1; done
                exit 0
                """);
        try (Running init = Init.in(root).args("-v", "--skip-runit", "--", "sh", root.resolve("main.sh").toString()).start()) {
            long orphan = Shell.pidFrom(root.resolve("orphan.pid"), Fixtures.SOON);
            cleanup.add(orphan);
            long initPid = init.initPid();
            assertThat(Shell.lines(Path.of("/proc/" + initPid + "/status"))).as("the harness runs an init that is not PID 1 as nobody")
                    .anyMatch(l -> l.startsWith("Uid:\t" + MyInitRun.NOBODY + "\t"));
            Shell.await("the orphan to be reparented to the init", Fixtures.SOON, () -> {
                try {
                    return Shell.parentOf(orphan) == initPid;
                } catch (Exception e) {
                    return false;
                }
            });
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
            assertThat(r.stderr()).contains("running as a child subreaper");
            assertThat(r.stderrLines()).contains("*** Killing all processes...");
            assertThat(Shell.running(orphan)).as("the orphan (a descendant) was killed").isFalse();
            assertThat(sibling.isAlive()).as("a process the init did not start survives").isTrue();
        }
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({
            "--kill-all=auto, '', false",
            "--kill-all=never, '', true",
            "--no-kill-all-on-exit, '', true",
            "'', MY_INIT_KILL_ALL=never, true",
            "'', MY_INIT_NO_KILL_ALL_ON_EXIT=1, true",
            "--kill-all=auto, MY_INIT_KILL_ALL=never, false",
            "--kill-all=auto, MY_INIT_NO_KILL_ALL_ON_EXIT=1, false",
    })
    void killAllModeDecidesWhetherADaemonOfTheMainCommandSurvives(String option, String env, boolean survives)
            throws Exception {
        Process sibling = sibling();
        Init init = Init.in(root);
        if (!env.isEmpty()) init.env(env.substring(0, env.indexOf('=')), env.substring(env.indexOf('=') + 1));
        if (!option.isEmpty()) init.args(option);
        init.args("--skip-runit", "--", "sh", "-c", "sleep 120 & echo $! > $M/daemon.pid; exit 0");
        Result r = init.run();
        long daemon = Shell.pidFrom(root.resolve("daemon.pid"), Fixtures.SOON);
        cleanup.add(daemon);
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Shell.running(daemon)).as("the daemon survives; " + r.describe()).isEqualTo(survives);
        assertThat(r.stderr().contains("Killing all processes...")).isEqualTo(!survives);
        assertThat(sibling.isAlive()).as("a process the init did not start survives").isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"always, true", "auto, false"})
    void alwaysSignalsEveryProcessOfThePidNamespaceEvenWhenNotPid1(String mode, boolean siblingKilled) throws Exception {
        // PID 1 of the namespace is a shell; the init is its child, next to a sibling sleep.
        String script = """
                sleep 120 & S=$!
                "$@"; echo "INIT-STATUS=$?"
                sleep 0.5
                echo "SIBLING-STATE=$(cut -d' ' -f3 /proc/$S/stat 2>/dev/null || echo gone)"
                kill -9 $S
                """;
        Init init = Init.in(root).underShellPid1(script).args("--kill-all=" + mode, "--skip-runit", "--", "sh", "-c", "exit 5");
        Process p = init.processBuilder(List.of()).redirectErrorStream(true).start();
        siblings.add(p);
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(Init.RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(out).contains("INIT-STATUS=5");
        // a killed sibling is a zombie until the namespace's PID 1 (the shell) waits for it, then gone
        assertThat(out).containsPattern(siblingKilled ? "SIBLING-STATE=(Z|gone)" : "SIBLING-STATE=S");
    }
}
