package io.jinit.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import io.jinit.it.Sig;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Storm 3 (TERM versus the main command's exit): R runs (60; 200 with {@code -Djinit.storm.full=true}) where the main
 * command exits 5 in the same moment as SIGTERM reaches the init. The main command blocks
 * reading a FIFO; the test closes the FIFO (main wakes and exits) and sends SIGTERM to the
 * init, in either order, with a busy-wait of 0 to 7.5 ms between the two.
 *
 * <p>Allowed outcomes, and nothing else: the main command's status (5, no abort line), or the
 * abort path (2 and {@code *** Init system aborted.}). Every run must end within its bound.
 */
@Timeout(900) // full counts (run-all.sh): about 4 min on 2 loaded cores; short counts about 1 min
@Execution(ExecutionMode.CONCURRENT)
class TermVersusMainExitIT {
    /** KILL_PROCESS_TIMEOUT + KILL_ALL_PROCESSES_TIMEOUT (3 + 3 s) plus JVM start under load. */
    private static final Duration RUN_BOUND = Duration.ofSeconds(25);

    @TempDir
    Path tmp;

    @Test
    void termRacingMainExitEndsInOneOfTheTwoDocumentedOutcomes() {
        int runs = Storm.count(60, 200);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicLong maxMs = new AtomicLong();
        long t0 = System.nanoTime();
        List<String> failures = Storm.runAll(runs, 2, i -> {
            InitRoot root = new InitRoot(tmp.resolve("r" + i));
            Path fifo = root.out("fifo");
            mkfifo(fifo);
            try (Running run = MyInitRun.in(root).options("--skip-runit")
                    .mainSh("read x < " + fifo + "; exit 5").timeout(RUN_BOUND).start()) {
                long init = run.initPid();
                // opening for writing blocks until the main command opened it for reading
                OutputStream w = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Files.newOutputStream(fifo);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).get(20, TimeUnit.SECONDS);
                long spinNanos = (i * 37L % 16) * 500_000; // 0 .. 7.5 ms
                boolean termFirst = i % 2 == 0;
                boolean sent;
                if (termFirst) {
                    sent = Sig.TERM.send(init);
                    spin(spinNanos);
                    w.close();
                } else {
                    w.close();
                    spin(spinNanos);
                    sent = Sig.TERM.send(init);
                }
                Result r = run.await();
                maxMs.accumulateAndGet(r.elapsed().toMillis(), Math::max);
                boolean aborted = r.logLines().contains("*** Init system aborted.");
                String outcome;
                if (r.exitCode() == 5 && !aborted) {
                    outcome = sent ? "main status 5" : "main status 5 (init gone before TERM)";
                } else if (r.exitCode() == 2 && aborted) {
                    outcome = "aborted 2";
                } else {
                    return "run " + i + " (" + (termFirst ? "TERM first" : "main first") + ", spin "
                            + spinNanos / 1000 + " us): undocumented outcome\n" + r.describe();
                }
                outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                return null;
            } catch (Exception e) {
                return "run " + i + ": " + e;
            }
        });
        Storm.report("TERM vs main exit", runs + " runs", failures.isEmpty(), "outcomes " + new java.util.TreeMap<>(outcomes)
                + ", " + failures.size() + " bad/hung, slowest run " + maxMs.get() + " ms, total "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(failures).as("runs with an undocumented outcome or a hang (bound %s)", RUN_BOUND).isEmpty();
        // an init that ignored TERM would give 5 every time: half the runs send TERM first
        assertThat(outcomes).as("at least one run took the abort path").containsKey("aborted 2");
    }

    /**
     * The fixed order: TERM reaches the init, then (half a second later) the main command could
     * exit 5. The abort came first, so the outcome must be the abort's: 2 and the abort line.
     */
    @Test
    void termWellBeforeMainExitAlwaysAborts() throws Exception {
        InitRoot root = new InitRoot(tmp.resolve("fixed"));
        Path fifo = root.out("fifo");
        mkfifo(fifo);
        try (Running run = MyInitRun.in(root).options("--skip-runit")
                .mainSh("read x < " + fifo + "; exit 5").timeout(RUN_BOUND).start()) {
            long init = run.initPid();
            OutputStream w = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.newOutputStream(fifo);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get(20, TimeUnit.SECONDS);
            assertThat(Sig.TERM.send(init)).isTrue();
            Thread.sleep(500);
            try {
                w.close();
            } catch (java.io.IOException gone) {
                // the main command was stopped and the FIFO has no reader: fine
            }
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.");
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static void mkfifo(Path p) {
        try {
            Process pr = new ProcessBuilder("mkfifo", "-m", "0600", p.toString()).redirectErrorStream(true).start();
            if (!pr.waitFor(10, TimeUnit.SECONDS) || pr.exitValue() != 0) {
                throw new AssertionError("mkfifo failed: " + new String(pr.getInputStream().readAllBytes()));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
