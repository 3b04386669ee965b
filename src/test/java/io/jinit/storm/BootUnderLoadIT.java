package io.jinit.storm;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot under CPU starvation and process churn: R boots (20; 100 with {@code -Djinit.storm.full=true})
 * of {@code my_init -- sh -c 'exit 32'} as PID 1 (runsvdir started, as with a plain
 * {@code my_init -- CMD}; every third run {@code --skip-runit}, every fifth a main command that
 * cannot start), two at a time, while two busy loops on this machine fork {@code /bin/true} as
 * fast as they can (both cores saturated, a process table that changes all the time). Every boot
 * must end with its status (32; 127 for the missing command) within the bound: no wait of the
 * boot may turn a slow start into a hang. The times are printed, not asserted (numbers belong to
 * tests-it/bench).
 */
@Timeout(900)
class BootUnderLoadIT {
    /** Bound of one boot; under this load a boot takes a few seconds here. */
    private static final Duration RUN_BOUND = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void everyBootEndsWithItsStatusUnderCpuStarvationAndProcessChurn() throws Exception {
        int runs = Storm.count(20, 100);
        List<Process> churn = new ArrayList<>();
        List<Long> times = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < 2; i++) churn.add(busyForker());
            List<String> failures = Storm.runAll(runs, 2, i -> {
                MyInitRun b = MyInitRun.in(new InitRoot(tmp.resolve("r" + i))).timeout(RUN_BOUND);
                if (i % 3 == 1) b.options("--skip-runit");
                int want = i % 5 == 4 ? 127 : 32;
                if (want == 127) b.main("/no/such/command");
                else b.mainSh("exit 32");
                Result r = b.run();
                times.add(r.elapsed().toMillis());
                return r.exitCode() == want ? null : "run " + i + ": " + r.describe();
            });
            for (Process p : churn) assertThat(p.isAlive()).as("the churn ran throughout").isTrue();
            List<Long> sorted = new ArrayList<>(times);
            Collections.sort(sorted);
            String detail = failures.size() + " wrong/hung; boot ms min " + sorted.getFirst() + ", median "
                    + sorted.get(sorted.size() / 2) + ", max " + sorted.getLast() + "; total "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms";
            Storm.report("boot under CPU starvation and process churn", runs + " boots", failures.isEmpty(), detail);
            assertThat(failures).as("boots with a wrong status or a hang (bound %s)", RUN_BOUND).isEmpty();
        } finally {
            churn.forEach(Process::destroyForcibly);
        }
    }

    /** A shell that forks {@code /bin/true} in a loop, as fast as it can, until destroyed. */
    private static Process busyForker() throws IOException {
        return new ProcessBuilder("sh", "-c", "while :; do /bin/true; done")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }
}
