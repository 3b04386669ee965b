package io.jinit.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Storm 2 (coalesced SIGCHLDs): R runs (100; 500 with {@code -Djinit.storm.full=true}) of a main command
 * that exits 7 in the same moment as one or more of its children die with 3, so that several
 * SIGCHLDs coalesce. Every run must end within its bound with status 7 and the log line
 * {@code *** <argv0> exited with status 7.}
 *
 * <p>Three shapes, in turn: {@code sh -c '(sleep 0.0x; exit 3) & sleep 0.0x; exit 7'} with
 * x = 1..5; the C helper's {@code burst K 7}: K = 1 or 16 children blocked on a pipe, released
 * by the parent's close right before its own {@code _exit(7)}.
 */
@Timeout(900) // full counts (run-all.sh): about 4 min on 2 loaded cores; short counts about 1 min
@Execution(ExecutionMode.CONCURRENT)
class CoalescedSigchldIT {
    /** Bound of one run: JVM start (about 1 s here, more under load) plus the kill-all. */
    private static final Duration RUN_BOUND = Duration.ofSeconds(25);

    @TempDir
    Path tmp;

    @Test
    void mainAndChildDyingTogetherAlwaysGiveMainsStatus() {
        int runs = Storm.count(100, 500);
        Path helper = Storm.helper();
        AtomicLong maxMs = new AtomicLong();
        long t0 = System.nanoTime();
        List<String> failures = Storm.runAll(runs, 2, i -> {
            InitRoot root = new InitRoot(tmp.resolve("r" + i));
            MyInitRun b = MyInitRun.in(root).options("--skip-runit").timeout(RUN_BOUND);
            String argv0;
            switch (i % 3) {
                case 0 -> {
                    String x = "0.0" + (1 + (i / 3) % 5);
                    b.mainSh("(sleep " + x + "; exit 3) & sleep " + x + "; exit 7");
                    argv0 = "sh";
                }
                case 1 -> {
                    b.main(helper.toString(), "burst", "1", "7");
                    argv0 = helper.toString();
                }
                default -> {
                    b.main(helper.toString(), "burst", "16", "7");
                    argv0 = helper.toString();
                }
            }
            Result r = b.run();
            maxMs.accumulateAndGet(r.elapsed().toMillis(), Math::max);
            if (r.exitCode() != 7 || !r.logLines().contains("*** " + argv0 + " exited with status 7.")) {
                return "run " + i + ": " + r.describe();
            }
            return null;
        });
        Storm.report("coalesced SIGCHLD", runs + " runs", failures.isEmpty(), failures.size() + " wrong/hung, slowest run "
                + maxMs.get() + " ms, total " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(failures).as("runs with a wrong status, a missing log line or a hang (bound %s)", RUN_BOUND).isEmpty();
    }
}
