package io.jinit.boot;

import io.jinit.process.AbortedException;
import io.jinit.process.ChildProcess;
import io.jinit.process.InitProcess;
import io.jinit.process.ProcessTable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --wait-for-descendants}: after the main command exits, wait (bounded) until the init has
 * no descendant left besides runsvdir and its services, while the reaper keeps reaping. The wait
 * gives way to SIGTERM/SIGINT ({@link io.jinit.process.Abort#await}).
 */
final class Descendants {
    /** Interval between looks at {@code /proc}. */
    static final Duration POLL = Duration.ofMillis(50);

    private Descendants() {}

    /**
     * @param runit runsvdir, whose tree is left to the shutdown; null with {@code --skip-runit}
     * @throws AbortedException on SIGTERM/SIGINT while waiting (the descendants are left to the kill-all)
     */
    static void awaitAfterMain(InitRuntime rt, ChildProcess runit) throws AbortedException, InterruptedException {
        Duration limit = rt.config().timeouts().descendants();
        if (limit == null) return;
        List<List<Integer>> left = new ArrayList<>(List.of(List.of()));
        boolean none = rt.abort().await(() -> {
            left.set(0, others(rt, runit));
            return left.getFirst().isEmpty();
        }, limit, POLL);
        if (none) {
            rt.log().debug("descendants.done", "No descendants left.");
            return;
        }
        int count = left.getFirst().size();
        rt.log().warn("descendants.timeout", count + " descendants still run after "
                + limit.toMillis() + " ms; going on with the shutdown.", "count", count);
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
            return table.descendantsOf(InitProcess.pid()).stream().filter(p -> !runitTree.contains(p)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
