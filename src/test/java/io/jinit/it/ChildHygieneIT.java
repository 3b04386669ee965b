package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract "Children": every child starts with fds 0, 1, 2 only, an empty signal mask and
 * default dispositions, also children started after a shutdown signal. Observed from
 * outside through /proc, on processes the init exec'd directly.
 */
@Timeout(60)
class ChildHygieneIT extends InitTestBase {

    private static final String ZERO = "0000000000000000";

    private static void assertClean(long pid, String what) throws IOException {
        Map<String, String> status = ProcFs.status(pid);
        assertThat(ProcFs.fds(pid)).as(what + ": open fds").containsExactly(0, 1, 2);
        assertThat(status.get("SigBlk")).as(what + ": SigBlk").isEqualTo(ZERO);
        assertThat(status.get("SigIgn")).as(what + ": SigIgn").isEqualTo(ZERO);
    }

    @Test
    void mainCommandHasOnlyStdFdsAndDefaultSignalState() throws Exception {
        try (Running run = init().main("sleep", "30").timeout(Duration.ofSeconds(30)).start()) {
            long init = run.initPid();
            ProcFs.Proc main = run.awaitDescendant(p -> p.comm().equals("sleep") && p.ppid() == init,
                    Duration.ofSeconds(15), "the main command sleep 30");
            assertClean(main.pid(), "main command");
            assertThat(Sig.TERM.send(main.pid())).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(128 + 15);
            assertThat(r.logLines()).as(r::describe)
                    .anyMatch(l -> l.startsWith("*** sleep ") && l.matches(".*" + MyInitRun.signalRegex(Sig.TERM) + ".*"));
        }
    }

    @Test
    void mainCommandSeesEmptyMaskAndNoIgnoredSignalsFromInside() {
        // exec: the process that reads /proc/self/status is the one the init started
        Result r = init().options("--skip-runit").mainSh("exec grep -E '^Sig(Blk|Ign):' /proc/self/status")
                .timeout(Duration.ofSeconds(20)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.out()).as(r::describe).isEqualTo("SigBlk:\t" + ZERO + "\nSigIgn:\t" + ZERO + "\n");
    }

    @Test
    void startupScriptHasOnlyStdFdsAndDefaultSignalState() throws Exception {
        Path pidFile = root.out("script.pid");
        InitRoot.sh(root.startupDir().resolve("10-exec-sleep"), "echo $$ > " + pidFile + "\nexec sleep 3");
        try (Running run = init().options("--skip-runit").main("true").timeout(Duration.ofSeconds(30)).start()) {
            run.awaitFile(pidFile, Duration.ofSeconds(15));
            long pid = run.hostPid(Long.parseLong(InitRoot.read(pidFile).trim()));
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (!ProcFs.stat(pid).map(p -> p.comm().equals("sleep")).orElse(false) && System.nanoTime() < end) {
                MyInitRun.sleep(10);
            }
            assertClean(pid, "startup script (exec'd sleep)");
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isZero();
        }
    }

    @Test
    void hooksStartedAfterSigtermHaveDefaultSignalState() {
        Path pre = root.out("pre");
        Path post = root.out("post");
        InitRoot.sh(root.preShutdownDir().resolve("10-pre"), "exec grep -E '^Sig(Blk|Ign):' /proc/self/status > " + pre);
        InitRoot.sh(root.postShutdownDir().resolve("10-post"), "exec grep -E '^Sig(Blk|Ign):' /proc/self/status > " + post);
        root.service("svc", "echo up > " + root.out("svc.up") + "\nexec sleep 1000");
        try (Running run = init().timeout(Duration.ofSeconds(30)).start()) {
            run.awaitFile(root.out("svc.up"), Duration.ofSeconds(15));
            assertThat(run.signal(Sig.TERM)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            String clean = "SigBlk:\t" + ZERO + "\nSigIgn:\t" + ZERO + "\n";
            assertThat(InitRoot.read(pre)).as("pre-shutdown hook after SIGTERM\n" + r.describe()).isEqualTo(clean);
            assertThat(InitRoot.read(post)).as("post-shutdown hook after SIGTERM\n" + r.describe()).isEqualTo(clean);
        }
    }

    @Test
    void signalsIgnoredWhenTheInitStartedAreDefaultInItsChildren() throws Exception {
        // an init started by nohup, or by a Java program (signals 32 and 33 ignored)
        try (Running run = init().ignoredAtStart(Sig.HUP, Sig.USR1).main("sleep", "30")
                .timeout(Duration.ofSeconds(30)).start()) {
            long init = run.initPid();
            ProcFs.Proc main = run.awaitDescendant(p -> p.comm().equals("sleep") && p.ppid() == init,
                    Duration.ofSeconds(15), "the main command sleep 30");
            assertThat(ProcFs.status(main.pid()).get("SigIgn")).as("main command: SigIgn\n" + run.describeNow())
                    .isEqualTo(ZERO);
            assertThat(Sig.TERM.send(main.pid())).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(128 + 15);
        }
    }
}
