package io.jinit.boot;

import io.jinit.posix.Libc;
import io.jinit.process.ProcessTable;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --wait-for-descendants}: after the main command exits, wait (bounded) until the init has
 * no descendant left besides runsvdir and its services, while the reaper keeps reaping.
 */
final class Descendants {
    /** Interval between looks at {@code /proc}. */
    static final Duration POLL = Duration.ofMillis(50);

    private Descendants() {}

    static void awaitAfterMain(InitRuntime rt) throws InterruptedException {
        Duration limit = rt.config().waitForDescendants();
        if (limit == null) return;
        long deadline = System.nanoTime() + limit.toNanos();
        List<Integer> left;
        while (true) {
            left = others(rt);
            if (left.isEmpty()) {
                rt.log().debug("descendants.done", "No descendants left.");
                return;
            }
            if (System.nanoTime() >= deadline) break;
            Thread.sleep(POLL);
        }
        rt.log().warn("descendants.timeout", left.size() + " descendants still run after "
                + limit.toMillis() + " ms; going on with the shutdown.", "count", left.size());
    }

    /** Our descendants, minus runsvdir's tree (services are stopped by the shutdown). */
    private static List<Integer> others(InitRuntime rt) {
        try {
            ProcessTable table = ProcessTable.read(rt.config().paths().proc());
            Set<Integer> runit = new HashSet<>();
            // runsvdir is the only child started with "-P" before the main command
            for (int pid : table.descendantsOf(Libc.getpid())) {
                if (rt.reaper().child(pid).map(c -> c.name().endsWith("runsvdir")).orElse(false)) {
                    runit.add(pid);
                    runit.addAll(table.descendantsOf(pid));
                }
            }
            return table.descendantsOf(Libc.getpid()).stream().filter(p -> !runit.contains(p)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
