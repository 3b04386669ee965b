package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kill-all waits until no child is left (the reaper's "no children left" condition), not a
 * moment less: a daemon that takes a second to stop after its TERM finishes its work before the
 * init exits. As PID 1 of a PID namespace, whatever the init leaves is killed with it, so a
 * kill-all that did not wait would leave no {@code daemon.done}.
 */
@Timeout(120)
class KillAllWaitIT {
    @TempDir
    Path root;

    @Test
    void killAllWaitsUntilTheLastChildHasExited() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                setsid sh -c 'trap "sleep 1; touch $M/daemon.done; exit 0" TERM; touch $M/daemon.ready; while :; do sleep 0.1; done' </dev/null >/dev/null 2>&1 &
                while [ ! -e $M/daemon.ready ]; do sleep 0.05; done
                exit 0
                """);
        Result r = Init.in(root).asPid1().env("KILL_ALL_PROCESSES_TIMEOUT", "20")
                .args("--skip-runit", "--", "sh", root.resolve("main.sh").toString()).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(root.resolve("daemon.done")).as("the daemon finished before the init exited; " + r.describe()).exists();
        assertThat(r.stderr()).as(r.describe()).contains("*** Killing all processes...")
                .doesNotContain("Not all processes have exited in time");
        assertThat(r.elapsed()).as(r.describe()).isGreaterThan(Duration.ofSeconds(1));
    }
}
