package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Mode;
import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kill-all, when the init is not PID 1 signals every descendant, also after one
 * refuses (EPERM: it runs as another user), and logs each refusal.
 *
 * <p>The init runs as user nobody with CAP_SETUID/CAP_SETGID as ambient capabilities and no
 * CAP_KILL ({@link MyInitRun#withSetuidCapabilities()}); its main command starts, alternately,
 * three processes as user daemon (uid 1: the init may not signal them) and three as nobody that
 * write a marker on TERM, then exits.
 */
@Timeout(90)
class KillAllRefusedIT extends InitTestBase {

    @Test
    void everyDescendantGetsTermAndEachRefusalIsLogged() throws Exception {
        StringBuilder main = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            main.append("setpriv --reuid=1 --regid=1 --clear-groups sleep 60 </dev/null >/dev/null 2>&1 & echo $! > %1$s/refused.%2$d\n"
                    .formatted(root.out(), i));
            main.append(("sh -c 'trap \"echo term > %1$s/term.%2$d; exit 0\" TERM; echo > %1$s/ready.%2$d;"
                    + " while :; do sleep 0.05; done' &\n").formatted(root.out(), i));
        }
        main.append("for i in 1 2 3; do until [ -e %1$s/ready.$i ]; do sleep 0.05; done; done\nexit 0\n".formatted(root.out()));
        List<Long> refused = new ArrayList<>();
        try (Running run = init().mode(Mode.CHILD).withSetuidCapabilities().options("--skip-runit")
                .env("KILL_ALL_PROCESSES_TIMEOUT", "2").mainSh(main.toString()).timeout(Duration.ofSeconds(60)).start()) {
            Result r = run.await();
            for (int i = 1; i <= 3; i++) refused.add(Long.parseLong(InitRoot.read(root.out("refused." + i)).trim()));
            assertThat(r.exitCode()).as(r::describe).isZero();
            assertThat(r.logLines()).as(r::describe).contains("*** Killing all processes...");
            for (int i = 1; i <= 3; i++) {
                assertThat(InitRoot.read(root.out("term." + i))).as("nobody's process %d got TERM\n%s", i, r.describe())
                        .isEqualTo("term\n");
                long pid = refused.get(i - 1);
                assertThat(r.logLines()).as(r::describe)
                        .anyMatch(l -> l.startsWith("*** Cannot send SIGTERM to PID " + pid + ": ")
                                && l.contains("Operation not permitted"));
            }
        } finally {
            for (long pid : refused) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
