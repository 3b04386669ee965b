package io.jinit.boot;

import io.jinit.posix.Libc;
import io.jinit.process.ChildProcess;
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

    /**
     * @param runit runsvdir, whose tree is left to the shutdown; null with {@code --skip-runit}
     */
    static void awaitAfterMain(InitRuntime rt, ChildProcess runit) throws InterruptedException {
        Duration limit = rt.config().waitForDescendants();
        if (limit == null) return;
        long deadline = System.nanoTime() + limit.toNanos();
        List<Integer> left;
        while (true) {
            left = others(rt, runit);
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
    private static List<Integer> others(InitRuntime rt, ChildProcess runit) {
        try {
            ProcessTable table = ProcessTable.read(rt.config().paths().proc());
            Set<Integer> runitTree = new HashSet<>();
            if (runit != null && runit.status().isEmpty()) {
                runitTree.add(runit.pid());
                runitTree.addAll(table.descendantsOf(runit.pid()));
            }
            return table.descendantsOf(Libc.getpid()).stream().filter(p -> !runitTree.contains(p)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
