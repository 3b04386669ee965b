package io.jinit.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Storm 4: PID reuse. R runs (10; 50 with {@code -Djinit.storm.full=true}) force
 * three processes of one boot onto the same PID P, and each must get its own status:
 *
 * <ol>
 *   <li>startup script 10 sets {@code /proc/sys/kernel/ns_last_pid} (per PID namespace,
 *   writable by root of the namespace's user namespace, which the init's scripts are) and
 *   makes an orphan with PID P that exits 33 (even runs) or kills itself with SIGKILL (odd
 *   runs); it waits until the init has reaped the orphan (/proc/P gone), then sets
 *   ns_last_pid to P-1;</li>
 *   <li>startup script 20 is spawned next and so gets P; it exits 0 (a stale 33 or 137 would
 *   make the init fail the boot with exit 1); it sets ns_last_pid to P-1 again;</li>
 *   <li>the main command gets P and exits 7: the init must exit 7 and log
 *   {@code *** sh exited with status 7.}</li>
 * </ol>
 *
 * The kernel's {@code pid_max} is not per namespace, so wrapping a small pid_max is not
 * possible without changing the host; ns_last_pid gives the same reuse exactly. A PID the
 * JVM takes for a new thread between two spawns can break the forcing for one run: the test
 * counts how many runs really reused P and requires that most did.
 */
@Timeout(600)
@Execution(ExecutionMode.CONCURRENT)
class PidReuseIT {
    @TempDir
    Path tmp;

    @Test
    void reusedPidsNeverGetAStaleStatus() {
        int runs = Storm.count(10, 50);
        AtomicInteger scriptReused = new AtomicInteger();
        AtomicInteger mainReused = new AtomicInteger();
        long t0 = System.nanoTime();
        List<String> failures = Storm.runAll(runs, 2, i -> {
            InitRoot root = new InitRoot(tmp.resolve("r" + i));
            Path out = root.out("x").getParent();
            String orphanEnd = i % 2 == 0 ? "exit 33" : "kill -KILL $$";
            InitRoot.sh(root.startupDir().resolve("10-orphan"), """
                    out=%1$s
                    echo %2$d > /proc/sys/kernel/ns_last_pid || { echo cannot > $out/nslastpid; exit 0; }
                    ( sh -c 'echo $$ > %1$s/orphan.pid; %3$s' & )
                    until read p < $out/orphan.pid && [ -n "$p" ]; do :; done 2>/dev/null
                    n=0
                    while [ -e /proc/$p ]; do n=$((n+1)); [ $n -gt 5000000 ] && { echo "orphan $p never reaped"; exit 0; }; done
                    echo $((p - 1)) > /proc/sys/kernel/ns_last_pid
                    exit 0
                    """.formatted(out, 300 + 50 * (i % 10), orphanEnd));
            InitRoot.sh(root.startupDir().resolve("20-reuse"), """
                    echo $$ > %1$s/s20.pid
                    read p < %1$s/orphan.pid
                    echo $((p - 1)) > /proc/sys/kernel/ns_last_pid
                    exit 0
                    """.formatted(out));
            Result r = MyInitRun.in(root).options("--skip-runit")
                    .mainSh("echo $$ > " + out + "/main.pid; exit 7").run();
            String orphan = InitRoot.read(root.out("orphan.pid")).trim();
            String s20 = InitRoot.read(root.out("s20.pid")).trim();
            String main = InitRoot.read(root.out("main.pid")).trim();
            if (!orphan.isEmpty() && orphan.equals(s20)) {
                scriptReused.incrementAndGet();
            }
            if (!orphan.isEmpty() && orphan.equals(main)) {
                mainReused.incrementAndGet();
            }
            if (r.exitCode() != 7 || !r.logLines().contains("*** sh exited with status 7.")
                    || r.logLines().stream().anyMatch(l -> l.contains("failed with status"))) {
                return "run " + i + " (orphan " + orphan + ", script 20 " + s20 + ", main " + main + "): " + r.describe();
            }
            return null;
        });
        boolean forced = mainReused.get() * 2 >= runs && scriptReused.get() * 2 >= runs;
        Storm.report("PID reuse", runs + " runs", failures.isEmpty() && forced, "PID reused by startup script in "
                + scriptReused + ", by main command in " + mainReused + " runs; " + failures.size()
                + " wrong statuses; total " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(failures).as("runs where a reused PID got a wrong status").isEmpty();
        assertThat(mainReused.get() * 2).as("runs (of %d) where the main command really reused the orphan's PID: %d",
                runs, mainReused.get()).isGreaterThanOrEqualTo(runs);
        assertThat(scriptReused.get() * 2).as("runs (of %d) where script 20 really reused the orphan's PID: %d",
                runs, scriptReused.get()).isGreaterThanOrEqualTo(runs);
    }
}
