package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Mode;
import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The init when it is not PID 1 (contract: a child subreaper whose kill-all signals only its
 * own descendants; a process it did not start must survive).
 *
 * <p>Two set-ups. {@link Mode#CHILD}: a plain child of the test JVM, run as user nobody so
 * that a kill(-1) by mistake can only reach nobody's processes (the sibling), never this
 * machine's. {@link Mode#NESTED_CHILD}: root, inside a PID namespace whose PID 1 is a shell
 * that also started the sibling.
 */
@Timeout(90)
class NotPid1IT extends InitTestBase {

    /** Main command: a background child and an orphaned grandchild, then wait for out/go. */
    private Path descendantsMain() {
        return InitRoot.sh(root.out("main.sh"), """
                sleep 60 & echo $! > %1$s/child.pid
                (sleep 61 & echo $! > %1$s/orphan.pid)
                until [ -e %1$s/go ]; do sleep 0.05; done
                exit 0
                """.formatted(root.out()));
    }

    private ProcFs.Proc awaitPidFile(Running run, String name) {
        run.awaitFile(root.out(name), Duration.ofSeconds(15));
        long pid = run.hostPid(Long.parseLong(InitRoot.read(root.out(name)).trim()));
        return ProcFs.stat(pid).orElseThrow(() -> new AssertionError(name + " " + pid + " is not running"));
    }

    /**
     * Waits (up to 5 s) until the orphan's parent is expected: its first parent, a subshell,
     * may not have exited yet when the PID file appears.
     */
    private static ProcFs.Proc awaitParent(ProcFs.Proc orphan, long expected) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ProcFs.Proc now = orphan;
        while (now.ppid() != expected && System.nanoTime() < end) {
            MyInitRun.sleep(10);
            now = ProcFs.stat(orphan.pid()).orElseThrow(() -> new AssertionError("orphan " + orphan + " died"));
        }
        return now;
    }

    private static boolean sameProcessRuns(ProcFs.Proc p) {
        Optional<ProcFs.Proc> now = ProcFs.stat(p.pid());
        return now.isPresent() && now.get().startTime() == p.startTime();
    }

    @Test
    void plainChildKillsOnlyItsOwnDescendants() throws Exception {
        Process sibling = new ProcessBuilder("setpriv", "--reuid=" + MyInitRun.NOBODY, "--regid=" + MyInitRun.NOBODY,
                "--clear-groups", "--", "sleep", "60").start();
        try {
            Path main = descendantsMain();
            try (Running run = init().mode(Mode.CHILD).options("--skip-runit").main(main.toString())
                    .timeout(Duration.ofSeconds(40)).start()) {
                long init = run.initPid();
                assertThat(ProcFs.stat(init).orElseThrow().ppid()).as("a plain child of the test JVM")
                        .isEqualTo(ProcessHandle.current().pid());
                ProcFs.Proc child = awaitPidFile(run, "child.pid");
                ProcFs.Proc orphan = awaitPidFile(run, "orphan.pid");
                orphan = awaitParent(orphan, init);
                assertThat(orphan.ppid()).as("the orphaned grandchild was adopted by the init (child subreaper)\n"
                        + run.describeNow()).isEqualTo(init);
                Files.writeString(root.out("go"), "go");
                Result r = run.await();
                assertThat(r.exitCode()).as(r::describe).isZero();
                assertThat(r.logLines()).as(r::describe).contains("*** Killing all processes...");
                assertThat(sibling.isAlive()).as("the sibling the init did not start survives\n" + r.describe()).isTrue();
                MyInitRun.sleep(200);
                assertThat(sameProcessRuns(child)).as("the main command's child is gone\n" + r.describe()).isFalse();
                assertThat(sameProcessRuns(orphan)).as("the adopted orphan is gone\n" + r.describe()).isFalse();
            }
        } finally {
            sibling.destroyForcibly();
            sibling.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void nestedChildKillsOnlyItsOwnDescendants() throws Exception {
        Path main = descendantsMain();
        try (Running run = init().mode(Mode.NESTED_CHILD).options("--skip-runit").main(main.toString())
                .timeout(Duration.ofSeconds(40)).start()) {
            long init = run.initPid();
            awaitPidFile(run, "child.pid");
            ProcFs.Proc orphan = awaitPidFile(run, "orphan.pid");
            orphan = awaitParent(orphan, init);
            assertThat(orphan.ppid()).as("adopted by the init (child subreaper)\n" + run.describeNow()).isEqualTo(init);
            Files.writeString(root.out("go"), "go");
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isZero();
            assertThat(r.hasNestedReport()).as(r::describe).isTrue();
            assertThat(r.logLines()).as(r::describe).contains("*** Killing all processes...");
            assertThat(r.sibling()).as(r::describe).hasValueSatisfying(s -> assertThat(s.state()).isIn('S', 'R'));
            assertThat(r.survivors()).as("nothing the init started is left\n" + r.describe()).isEmpty();
        }
    }

    @Test
    void nestedChildAbortedDuringAStartupScriptLeavesNothingRunning() {
        InitRoot.sh(root.startupDir().resolve("10-long"), "echo started > " + root.out("started") + "\nsleep 1000");
        try (Running run = init().mode(Mode.NESTED_CHILD).env("KILL_PROCESS_TIMEOUT", "2")
                .env("KILL_ALL_PROCESSES_TIMEOUT", "2").main("true").timeout(Duration.ofSeconds(40)).start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(Sig.TERM)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.");
            assertThat(r.survivors()).as("no sleep 1000 left\n" + r.describe()).isEmpty();
            assertThat(r.sibling()).as(r::describe).hasValueSatisfying(s -> assertThat(s.state()).isIn('S', 'R'));
            assertThat(r.since(sent)).as(r::describe).isLessThan(Duration.ofSeconds(2 + 2 + 3));
        }
    }

    @Test
    void nestedChildWithRunitStopsItsServicesAndKeepsTheSibling() {
        Path ev = root.out("events");
        root.service("svc", """
                trap 'echo term >> %1$s; exit 0' TERM
                echo up >> %1$s
                while :; do sleep 0.1; done
                """.formatted(ev));
        try (Running run = init().mode(Mode.NESTED_CHILD).env("KILL_PROCESS_TIMEOUT", "2")
                .mainSh("until grep -q up " + ev + "; do sleep 0.05; done").timeout(Duration.ofSeconds(40)).start()) {
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isZero();
            assertThat(InitRoot.lines(ev)).as(r::describe).containsExactly("up", "term");
            List<ProcFs.Proc> left = r.survivors();
            assertThat(left).as("runsvdir, runsv and the service are gone\n" + r.describe()).isEmpty();
            assertThat(r.sibling()).as(r::describe).hasValueSatisfying(s -> assertThat(s.state()).isIn('S', 'R'));
        }
    }

    @Test
    void nestedChildWithNoKillAllLeavesItsDescendants() throws Exception {
        // --no-kill-all-on-exit (Keep), and the control that the survivor probe above sees leftovers
        Path main = descendantsMain();
        try (Running run = init().mode(Mode.NESTED_CHILD).options("--skip-runit", "--no-kill-all-on-exit")
                .main(main.toString()).timeout(Duration.ofSeconds(40)).start()) {
            awaitPidFile(run, "child.pid");
            awaitPidFile(run, "orphan.pid");
            Files.writeString(root.out("go"), "go");
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isZero();
            assertThat(r.logLines()).as(r::describe).doesNotContain("*** Killing all processes...");
            assertThat(r.survivors()).as(r::describe).extracting(ProcFs.Proc::comm).containsExactlyInAnyOrder("sleep", "sleep");
        }
    }
}
