package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exhaustion, with real limits, reported and survived: no process can be created (the init's
 * RLIMIT_NPROC lowered to 1 while a startup script or the main command runs: the next
 * posix_spawn fails with EAGAIN), no descriptor left (RLIMIT_NOFILE lowered to the init's lowest
 * free descriptor: EMFILE), the init's own heap (-Xmx32m: a variable bigger than the heap; a
 * thousand services). Each is one line naming the thing and the reason; the init goes on where it
 * can (a hook, a listing) or stops in order (a startup script, runsvdir); nothing is half-written;
 * the exit status says what happened. The limits are lowered with {@code prlimit --pid} once the
 * init runs (a limit set before the JVM starts would stop the JVM, not the init), as the init's own
 * user (prlimit(2) allows that without CAP_SYS_RESOURCE).
 */
@Timeout(300)
class ExhaustionIT {
    private static final String NO_PROCESS = "Resource temporarily unavailable (no process can be created: "
            + "the process limit, RLIMIT_NPROC or the pids cgroup, is reached)";

    @TempDir
    Path root;

    @AfterEach
    void noDaemonLeftBehind() {
        Fixtures.killDaemon(root);
    }

    /** A startup script that leaves a daemon (TERM: daemon.term), asks for the limit and waits for it. */
    private void waitingStartupScript() throws IOException {
        Shell.script(root.resolve("etc/my_init.d/10-wait"), Fixtures.TERM_RECORDING_DAEMON + """
                touch $M/limit.wanted
                while [ ! -e $M/limit.set ]; do sleep 0.05; done
                """);
    }

    /**
     * A service (svc.up once it runs), a pre-shutdown hook (pre.ran), and {@code main.sh}: once the
     * service runs it asks for the limit (limit.wanted), waits for it (limit.set) and exits 3.
     */
    private void serviceHookAndAMainThatWaitsForTheLimit() throws IOException {
        Shell.script(root.resolve("etc/service/svc/run"), "touch $M/svc.up; exec sleep 1000");
        Shell.script(root.resolve("etc/my_init.pre_shutdown.d/10-hook"), "touch $M/pre.ran");
        Shell.script(root.resolve("main.sh"), """
                while [ ! -e $M/svc.up ]; do sleep 0.05; done
                touch $M/limit.wanted
                while [ ! -e $M/limit.set ]; do sleep 0.05; done
                exit 3
                """);
    }

    /** Runs the init as nobody; lowers its RLIMIT_NPROC to 1 once limit.wanted appears. */
    private Result withoutProcesses(Init init) throws Exception {
        try (Running running = init.start()) {
            Shell.awaitFile(root.resolve("limit.wanted"), running);
            FaultIT.prlimitNproc(running.initPid(), 1);
            Files.createFile(root.resolve("limit.set"));
            return running.await();
        }
    }

    @Test
    void noProcessForTheMainCommandIsOneLineThenKillAllExit126() throws Exception {
        waitingStartupScript();
        Result r = withoutProcesses(Init.in(root).args("--skip-runit", "--", "sh", "-c", "touch $M/main.ran"));
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(126);
        assertThat(r.stderrLines()).as(r.describe()).containsOnlyOnce("*** sh: " + NO_PROCESS);
        assertThat(root.resolve("main.ran")).doesNotExist();
        assertThat(root.resolve("daemon.term")).as("kill-all still ran; " + r.describe()).exists();
        report("no process left for the main command -> one line, kill-all, exit 126", r);
    }

    @Test
    void noProcessForTheNextStartupScriptStopsTheBootExit1() throws Exception {
        waitingStartupScript();
        Shell.script(root.resolve("etc/my_init.d/20-next"), "touch $M/next.ran");
        Result r = withoutProcesses(Init.in(root).args("--skip-runit", "--", "sh", "-c", "touch $M/main.ran"));
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        String next = root.resolve("etc/my_init.d/20-next").toString();
        assertThat(r.stderrLines()).as(r.describe()).containsOnlyOnce("*** " + next + " failed: " + next + ": " + NO_PROCESS);
        assertThat(root.resolve("main.ran")).doesNotExist();
        assertThat(root.resolve("daemon.term")).as(r.describe()).exists();
        report("no process left for a startup script -> one line, kill-all, exit 1", r);
    }

    @Test
    void noProcessForRunsvdirStopsTheBootExit1() throws Exception {
        waitingStartupScript();
        Result r = withoutProcesses(Init.in(root).args("--", "sh", "-c", "touch $M/main.ran"));
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).as("no 'install runit' hint: runit is there; " + r.describe())
                .containsOnlyOnce("*** Cannot start runit: /usr/bin/runsvdir: " + NO_PROCESS);
        assertThat(root.resolve("main.ran")).doesNotExist();
        assertThat(root.resolve("daemon.term")).as(r.describe()).exists();
        report("no process left for runsvdir -> one line, kill-all, exit 1", r);
    }

    @Test
    void noProcessForAHookTheShutdownGoesOnWithTheMainCommandsStatus() throws Exception {
        Shell.script(root.resolve("etc/service/svc/finish"), "touch $M/svc.finished");
        serviceHookAndAMainThatWaitsForTheLimit();
        Result r = withoutProcesses(Init.in(root).args("--", "sh", root.resolve("main.sh").toString()));
        assertThat(r.exitCode()).as("the main command's status; " + r.describe()).isEqualTo(3);
        String hook = root.resolve("etc/my_init.pre_shutdown.d/10-hook").toString();
        assertThat(r.stderrLines()).as(r.describe()).containsOnlyOnce("*** " + hook + " failed: " + hook + ": " + NO_PROCESS);
        assertThat(root.resolve("pre.ran")).doesNotExist();
        assertThat(root.resolve("svc.finished")).as("the services were still stopped by runit; " + r.describe()).exists();
        report("no process left for a hook -> one line, shutdown goes on, main's status", r);
    }

    /**
     * No descriptor left while the main command runs (PID 1, root: RLIMIT_NOFILE lowered to the
     * lowest free descriptor, so every open(2) fails with EMFILE): listing the services and the
     * hooks fails with one line each, runsvdir is stopped, kill-all (kill(2) of -1, no descriptor
     * needed) stops the rest, and the exit status is the main command's.
     */
    @Test
    void noDescriptorLeftTheShutdownSaysWhatItCannotListAndStillStopsEverything() throws Exception {
        serviceHookAndAMainThatWaitsForTheLimit();
        try (Running init = Init.in(root).asPid1().args("--", "sh", root.resolve("main.sh").toString()).start()) {
            Shell.awaitFile(root.resolve("limit.wanted"), init);
            long pid = init.initPid();
            int free = lowestFreeDescriptor(pid);
            Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + free + ":" + free)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("prlimit: " + out).isEqualTo(0);
            Files.createFile(root.resolve("limit.set"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(3);
            assertThat(r.stderrLines()).as(r.describe())
                    .anyMatch(l -> l.startsWith("*** Cannot list the services in ") && l.contains("Too many open files"))
                    .anyMatch(l -> l.startsWith("*** Cannot list ") && l.contains("my_init.pre_shutdown.d")
                            && l.contains("Too many open files"));
            assertThat(root.resolve("pre.ran")).doesNotExist();
            assertThat(r.stderr()).as(r.describe()).doesNotContain("\tat ").doesNotContain("Not all processes have exited");
            report("no descriptor left in the shutdown -> one line per listing, kill-all, main's status", r);
        }
    }

    /**
     * A container environment bigger than the init's heap (-Xmx32m: 400 variables of 120 KiB): one line naming the directory and the
     * reason, nothing exported (the old .sh is whole, no temporary file), kill-all, exit 1.
     */
    @Test
    void aContainerEnvironmentBiggerThanTheHeapIsOneLineNothingHalfWrittenExit1() throws Exception {
        Path env = root.resolve("etc/container_environment");
        Files.createDirectories(env);
        // each variable under execve's 128 KiB (a bigger one is skipped with a warning), 48 MiB in all
        byte[] big = new byte[120 << 10];
        java.util.Arrays.fill(big, (byte) 'x');
        for (int i = 0; i < 400; i++) Files.write(env.resolve("BIG" + i), big);
        Files.writeString(root.resolve("etc/container_environment.sh"), "export OLD='whole'\n");
        Shell.script(root.resolve("etc/my_init.d/10-mark"), "touch $M/startup.ran");
        Result r = Init.in(root).asPid1().args("--skip-runit", "--", "sh", "-c", "touch $M/main.ran").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.describe()).filteredOn(l -> l.contains("does not fit in the init's heap"))
                .singleElement().asString().startsWith("*** Cannot import " + env + ": ");
        assertThat(Files.readString(root.resolve("etc/container_environment.sh"))).isEqualTo("export OLD='whole'\n");
        try (Stream<Path> files = Stream.concat(Files.list(root.resolve("etc")), Files.list(env))) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith(".jinit-tmp="));
        }
        assertThat(root.resolve("startup.ran")).doesNotExist();
        assertThat(root.resolve("main.ran")).doesNotExist();
        assertThat(r.stderr()).doesNotContain("\tat ");
        report("container environment bigger than the heap -> one line, nothing written, exit 1", r);
    }

    /** A thousand services (each with a down file): the init's 32 MB heap lists, waits for and stops them. */
    @Test
    void aThousandServicesFitInTheHeap() throws Exception {
        for (int i = 0; i < 1000; i++) {
            Path svc = root.resolve("etc/service/s" + i);
            Shell.script(svc.resolve("run"), "exec sleep 1000");
            Files.createFile(svc.resolve("down"));
        }
        Shell.script(root.resolve("etc/service/up/run"), "touch $M/up.ran; exec sleep 1000");
        Result r = Init.in(root).asPid1().args("--wait-for-services=60s", "--", "sh", "-c", "exit 4").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(4);
        assertThat(r.stderr()).as(r.describe()).contains("*** All 1 services are ready.")
                .doesNotContain("OutOfMemoryError").doesNotContain("Fault in phase").doesNotContain("Not all");
        report("1001 services in a 32 MB heap -> ready, stopped, main's status", r);
    }

    private static int lowestFreeDescriptor(long pid) throws IOException {
        List<Integer> open;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            open = fds.map(f -> Integer.parseInt(f.getFileName().toString())).sorted().toList();
        }
        int n = 0;
        while (open.contains(n)) n++;
        return n;
    }

    private static void report(String what, Result r) {
        System.out.println("RELIABILITY|exhaustion: " + what + "|1 run|pass|exit " + r.exitCode() + " in "
                + r.elapsed().toMillis() + " ms");
    }
}
