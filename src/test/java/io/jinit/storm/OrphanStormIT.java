package io.jinit.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Storm 1 (orphans): a main command makes N orphaned grandchildren as fast as it can (N = 2,000;
 * 10,000 with {@code -Djinit.storm.full=true}). From inside the PID namespace, before the init
 * exits, no zombie may be left; the init's RSS (VmRSS, read from outside) may grow by less
 * than 16 MiB over the storm.
 */
@Timeout(600)
@Execution(ExecutionMode.CONCURRENT)
class OrphanStormIT {
    private static final long MAX_GROWTH_KIB = 16 * 1024;

    @TempDir
    Path tmp;

    @Test
    void orphanStormLeavesNoZombieAndFlatMemory() throws Exception {
        int n = Storm.count(2_000, 10_000);
        InitRoot root = new InitRoot(tmp.resolve("root"));
        Path helper = Storm.helper();
        String script = """
                echo ready > %1$s
                until [ -e %2$s ]; do sleep 0.02; done
                %3$s orphans %4$d || exit 90
                %3$s zwait 10000
                st=$?
                echo "$st" > %5$s
                until [ -e %6$s ]; do sleep 0.02; done
                exit $st
                """.formatted(root.out("ready"), root.out("go"), helper, n, root.out("done"), root.out("finish"));
        long t0 = System.nanoTime();
        try (Running run = MyInitRun.in(root).options("--skip-runit").mainSh(script)
                .timeout(Duration.ofSeconds(120)).start()) {
            run.awaitFile(root.out("ready"), Duration.ofSeconds(30));
            long init = run.initPid();
            Thread.sleep(300);
            long before = Storm.rssKiB(init);
            long s0 = System.nanoTime();
            Files.writeString(root.out("go"), "go");
            run.awaitFile(root.out("done"), Duration.ofSeconds(100));
            long stormMs = (System.nanoTime() - s0) / 1_000_000;
            long after = Storm.rssKiB(init);
            Files.writeString(root.out("finish"), "x");
            Result r = run.await();
            String zline = r.out().lines().filter(l -> l.startsWith("zombies=")).findFirst().orElse("zombies=?");
            boolean pass = r.exitCode() == 0 && zline.startsWith("zombies=0 ") && after - before < MAX_GROWTH_KIB;
            Storm.report("orphan storm", n + " orphans", pass, zline + ", init RSS " + before / 1024 + " -> "
                    + after / 1024 + " MiB (" + (after - before) + " KiB), storm " + stormMs + " ms, total "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(r.out()).as(r::describe).contains("orphans=" + n + "\n");
            assertThat(zline).as("zombies left in the namespace\n" + r.describe()).startsWith("zombies=0 ");
            assertThat(r.exitCode()).as(r::describe).isZero();
            assertThat(after - before).as("init RSS growth in KiB (before %d KiB, after %d KiB)", before, after)
                    .isLessThan(MAX_GROWTH_KIB);
        }
    }
}
