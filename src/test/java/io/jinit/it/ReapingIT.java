package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PID 1 reaps orphans: 200 orphaned grandchildren never stay zombies. */
@Timeout(120)
class ReapingIT extends InitTestBase {

    @Test
    void orphansOfARunningMainCommandAreReaped() {
        // The main command itself looks at its namespace (its /proc is the namespace's):
        // once no orphaned sleep is alive any more, after half a second, no zombie may be left.
        String script = """
                (for i in $(seq 200); do sleep 0.2 & done)
                n=0
                while :; do
                  live=0
                  for f in /proc/[0-9]*/stat; do
                    read -r l < "$f" || continue
                    case "$l" in *"(sleep) "[RSD]" "*) live=$((live+1));; esac
                  done 2>/dev/null
                  [ "$live" = 0 ] && break
                  n=$((n+1)); [ "$n" -gt 600 ] && { echo "orphans still alive after 60 s: $live"; exit 9; }
                  sleep 0.1
                done
                sleep 0.5
                z=0
                for f in /proc/[0-9]*/stat; do
                  read -r l < "$f" || continue
                  case "$l" in *") Z "*) z=$((z+1)); echo "zombie: $l";; esac
                done 2>/dev/null
                echo "zombies=$z"
                """;
        Result r = init().options("--skip-runit").mainSh(script).timeout(Duration.ofSeconds(90)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.out()).as(r::describe).contains("zombies=0\n");
        assertThat(r.logLines()).as(r::describe).contains("*** sh exited with status 0.");
    }

    @Test
    void orphansLeftBehindByTheMainCommandAreReapedDuringKillAll() {
        // Main exits at once, leaving 200 orphans (sleep 5) and one that ignores TERM
        // (sleep 30). Kill-all TERMs them all; while the init still waits for the straggler,
        // its namespace must hold only the init and the straggler: no zombie.
        // (the straggler's trap must be in place before main exits and kill-all sends TERM)
        String script = """
                (for i in $(seq 200); do sleep 5 & done)
                (trap '' TERM; echo > %1$s; exec sleep 30) &
                until [ -e %1$s ]; do sleep 0.01; done
                exit 0
                """.formatted(root.out("straggler.ready"));
        try (Running run = init().options("--skip-runit").env("KILL_ALL_PROCESSES_TIMEOUT", "4")
                .mainSh(script).timeout(Duration.ofSeconds(90)).start()) {
            long init = run.initPid();
            MyInitRun.Line killing = run.awaitStderr("*** Killing all processes...", Duration.ofSeconds(60));
            MyInitRun.sleep(1000);
            List<ProcFs.Proc> first = ProcFs.inNamespaceOf(init);
            MyInitRun.sleep(300);
            List<ProcFs.Proc> second = ProcFs.inNamespaceOf(init);
            Set<String> firstZombies = first.stream().filter(ProcFs.Proc::zombie)
                    .map(p -> p.pid() + "@" + p.startTime()).collect(Collectors.toSet());
            List<ProcFs.Proc> stuck = second.stream().filter(ProcFs.Proc::zombie)
                    .filter(p -> firstZombies.contains(p.pid() + "@" + p.startTime())).toList();
            assertThat(stuck).as("zombies that stayed 300 ms while the init waited in kill-all\n" + run.describeNow())
                    .isEmpty();
            assertThat(second).as("during kill-all only the init and the TERM-ignoring straggler are left\n"
                            + run.describeNow())
                    .extracting(ProcFs.Proc::comm).containsExactlyInAnyOrder("my_init", "sleep");
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isZero();
            assertThat(r.logLines()).as(r::describe)
                    .contains("*** Not all processes have exited in time. Forcing them to exit.");
            assertThat(r.since(killing.nanos())).as(r::describe).isLessThan(Duration.ofSeconds(4 + 3));
        }
    }
}
