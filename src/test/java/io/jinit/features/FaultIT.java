package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of no return: from the first phase on, anything the init throws (a RuntimeException,
 * a real OutOfMemoryError of its 32 MB heap, a real StackOverflowError, a thread that a real
 * process limit keeps from starting) is one log line and then the orderly, bounded shutdown: the
 * main command is stopped, the pre-shutdown hooks run, the services are stopped, kill-all, exit 1.
 * Before it (nothing started yet), the same throwable is one line and exit 1. The faults are
 * injected through the test-only system property {@code jinit.test.fault} (see
 * {@code io.jinit.boot.InjectedFault}), set on the JVM's command line, which only a test can do.
 * Each run prints {@code RELIABILITY|fault ...} for the reliability report.
 */
@Timeout(300)
class FaultIT {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @AfterEach
    void noDaemonLeftBehind() {
        Fixtures.killDaemon(root);
    }

    @Test
    void aRuntimeExceptionInTheStartupPhaseIsOneLineThenKillAllAndExit1() throws Exception {
        Shell.script(root.resolve("etc/my_init.d/10-mark"), "touch $M/startup.ran");
        Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=startup:runtime")
                .args("--skip-runit", "--", "sh", "-c", "touch $M/main.ran").run();
        // the fault is at the phase's start: no script ran
        assertFault(r, "startup", "java.lang.IllegalStateException: injected fault at startup");
        assertThat(root.resolve("startup.ran")).as(r.describe()).doesNotExist();
        assertThat(root.resolve("main.ran")).as(r.describe()).doesNotExist();
        assertThat(r.stderr()).as(r.describe()).contains("*** Killing all processes...");
        report("RuntimeException in startup", r);
    }

    @Test
    void anOutOfMemoryErrorWhileTheMainCommandRunsStopsItThenShutsDown() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                trap 'touch $M/main.term; exit 0' TERM
                touch $M/main.ready
                while :; do sleep 0.1; done
                """);
        Shell.script(root.resolve("etc/my_init.post_shutdown.d/10-hook"), "touch $M/post.ran");
        Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=main.running:oom@" + root.resolve("main.ready"))
                .args("--skip-runit", "--", "sh", root.resolve("main.sh").toString()).run();
        assertFault(r, "main", "java.lang.OutOfMemoryError: Java heap space");
        assertThat(root.resolve("main.term")).as("the main command got its stop signal; " + r.describe()).exists();
        assertThat(r.stderr()).as(r.describe()).containsPattern("\\*\\*\\* Shutting down sh \\(PID \\d+\\)\\.\\.\\.");
        report("OutOfMemoryError while the main command runs", r);
    }

    @Test
    void aStackOverflowWhileTheMainCommandRunsGoesThroughHooksAndServices() throws Exception {
        Shell.script(root.resolve("etc/service/svc/run"), "exec sleep 1000");
        Shell.script(root.resolve("etc/service/svc/finish"), "touch $M/svc.finished");
        Shell.script(root.resolve("etc/my_init.pre_shutdown.d/10-hook"), "touch $M/pre.ran");
        Shell.script(root.resolve("etc/my_init.post_shutdown.d/10-hook"), "touch $M/post.ran");
        Shell.script(root.resolve("main.sh"), """
                trap 'touch $M/main.term; exit 0' TERM
                while [ "$(cat $M/etc/service/svc/supervise/stat 2>/dev/null)" != run ]; do sleep 0.1; done
                touch $M/main.ready
                while :; do sleep 0.1; done
                """);
        Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=main.running:stack@" + root.resolve("main.ready"))
                .args("--", "sh", root.resolve("main.sh").toString()).run();
        assertFault(r, "main", "java.lang.StackOverflowError");
        assertThat(root.resolve("main.term")).as(r.describe()).exists();
        assertThat(r.stderr()).as(r.describe()).containsPattern("\\*\\*\\* Shutting down sh \\(PID \\d+\\)\\.\\.\\.");
        assertThat(root.resolve("pre.ran")).as("pre-shutdown hook; " + r.describe()).exists();
        assertThat(root.resolve("svc.finished")).as("the service was stopped by runit; " + r.describe()).exists();
        assertThat(root.resolve("post.ran")).as("post-shutdown hook; " + r.describe()).exists();
        report("StackOverflowError while the main command runs (runit, hooks)", r);
    }

    @Test
    void aFaultWhileRunsvdirRunsStopsTheServicesInOrder() throws Exception {
        Shell.script(root.resolve("etc/service/svc/run"), "touch $M/svc.up; exec sleep 1000");
        Shell.script(root.resolve("etc/service/svc/finish"), "touch $M/svc.finished");
        Shell.script(root.resolve("etc/my_init.pre_shutdown.d/10-hook"), "touch $M/pre.ran");
        Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=runit.running:runtime@" + root.resolve("svc.up"))
                .args("--", "sh", "-c", "touch $M/main.ran").run();
        assertFault(r, "runit", "java.lang.IllegalStateException: injected fault at runit.running");
        assertThat(root.resolve("main.ran")).as(r.describe()).doesNotExist();
        assertThat(root.resolve("pre.ran")).as(r.describe()).exists();
        assertThat(root.resolve("svc.finished")).as("the service was stopped by runit; " + r.describe()).exists();
        report("RuntimeException while runsvdir runs", r);
    }

    @Test
    void aFaultInTheShutdownStillKillsEverything() throws Exception {
        Shell.script(root.resolve("main.sh"), Fixtures.TERM_RECORDING_DAEMON + "exit 0");
        Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=shutdown:runtime")
                .args("--skip-runit", "--", "sh", root.resolve("main.sh").toString()).run();
        assertFault(r, "shutdown", "injected fault at shutdown");
        assertThat(root.resolve("daemon.term")).as("kill-all TERMed the daemon; " + r.describe()).exists();
        report("RuntimeException in shutdown", r);
    }

    @Test
    void aFaultInKillAllIsALastKillAndExit1() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                setsid sh -c 'trap "" TERM; echo $$ > $M/daemon.pid; while :; do sleep 0.1; done' </dev/null >/dev/null 2>&1 &
                while [ ! -s $M/daemon.pid ]; do sleep 0.05; done
                exit 0
                """);
        Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=exit:runtime")
                .args("--skip-runit", "--", "sh", root.resolve("main.sh").toString()).run();
        assertFault(r, "exit", "injected fault at exit");
        assertThat(r.elapsed()).as("no wait for the TERM-ignoring daemon; " + r.describe()).isLessThan(Duration.ofSeconds(20));
        report("RuntimeException in kill-all", r);
    }

    @Test
    void beforeThePointOfNoReturnAFaultIsOneLineAndExit1NothingStarted() throws Exception {
        Shell.script(root.resolve("etc/my_init.d/10-mark"), "touch $M/startup.ran");
        for (String kind : List.of("runtime", "oom", "stack")) {
            Result r = Init.in(root).asPid1().jvmOptions("-Djinit.test.fault=start:" + kind)
                    .args("--skip-runit", "--", "sh", "-c", "touch $M/main.ran").run();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
            assertThat(r.stderrLines()).as(r.describe()).hasSize(1).first().asString().startsWith("*** my_init: cannot start: java.lang.");
            assertThat(root.resolve("startup.ran")).as(r.describe()).doesNotExist();
            assertThat(root.resolve("main.ran")).as(r.describe()).doesNotExist();
            report("before the point of no return: " + kind, "one line, nothing started, exit 1", r);
        }
    }

    /**
     * A thread that cannot be started, for real: the init runs as nobody (not PID 1), and once its
     * startup script runs the test lowers the init's process limit to 1 ({@code prlimit --nproc}),
     * so the injected thread start in the Runit phase fails with the JVM's own OutOfMemoryError
     * ("unable to create native thread"). Kill-all needs no new process: the daemon the startup
     * script left behind is TERMed, exit 1.
     */
    @Test
    void aThreadThatCannotStartUnderARealProcessLimitIsOneLineThenKillAll() throws Exception {
        Shell.script(root.resolve("etc/my_init.d/10-wait"), Fixtures.TERM_RECORDING_DAEMON + """
                touch $M/limit.wanted
                while [ ! -e $M/limit.set ]; do sleep 0.05; done
                """);
        try (Running init = Init.in(root).jvmOptions("-Djinit.test.fault=runit:thread")
                .args("--", "sh", "-c", "touch $M/main.ran").start()) {
            Shell.awaitFile(root.resolve("limit.wanted"), init);
            prlimitNproc(init.initPid(), 1);
            Files.createFile(root.resolve("limit.set"));
            Result r = init.await();
            assertFault(r, "runit", "java.lang.OutOfMemoryError: unable to create native thread");
            assertThat(root.resolve("main.ran")).as(r.describe()).doesNotExist();
            assertThat(root.resolve("daemon.term")).as("kill-all TERMed the daemon; " + r.describe()).exists();
            report("thread that cannot start (nproc limit)", r);
        }
    }

    /** Lowers RLIMIT_NPROC (soft and hard) of a running init of user nobody (as nobody: prlimit(2)'s rule). */
    static void prlimitNproc(long pid, int limit) throws Exception {
        prlimit(pid, "--nproc=" + limit + ":" + limit);
    }

    /** Lowers a limit of a running init of user nobody, e.g. {@code --nofile=20:20}, as nobody. */
    static void prlimit(long pid, String limit) throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                "prlimit", "--pid", Long.toString(pid), limit).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("prlimit: " + out).isEqualTo(0);
    }

    /** Exit 1, exactly one fault line naming the phase and the throwable, no stack trace. */
    private static void assertFault(Result r, String phase, String what) {
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        List<String> faults = r.stderrLines().stream().filter(l -> l.startsWith("*** Fault in phase ")).toList();
        assertThat(faults).as(r.describe()).hasSize(1);
        assertThat(faults.getFirst()).as(r.describe()).startsWith("*** Fault in phase " + phase + ": ").contains(what)
                .endsWith(". Shutting down (exit status 1).");
        assertThat(r.stderr() + r.stdout()).as("no stack trace; " + r.describe()).doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(r.elapsed()).as(r.describe()).isLessThan(BOUND);
    }

    private static void report(String what, Result r) {
        report(what, "one line, orderly shutdown, exit 1", r);
    }

    private static void report(String what, String outcome, Result r) {
        System.out.println("RELIABILITY|fault: " + what + " -> " + outcome + "|1 run|pass|exit "
                + r.exitCode() + " in " + r.elapsed().toMillis() + " ms");
    }
}
