package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Mode;
import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HUP, USR1, USR2, QUIT, WINCH, ALRM and CONT, 100 times each, never crash or stop the init;
 * it then ends normally with the main command's status.
 *
 * <p>Both as PID 1 (where the kernel drops signals the init has no handler for) and as a
 * child in a PID namespace (where a default disposition would kill or stop it). The main
 * command ignores these signals itself, because the init may forward them to it.
 */
@Timeout(90)
class SignalStormIT extends InitTestBase {

    private static final Sig[] STORM = {Sig.HUP, Sig.USR1, Sig.USR2, Sig.QUIT, Sig.WINCH, Sig.ALRM, Sig.CONT};

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"PID1", "NESTED_CHILD"})
    void stormOfOtherSignalsIsSurvived(Mode mode) throws Exception {
        Path ev = root.out("svc");
        root.service("svc", """
                trap 'echo term >> %1$s; exit 0' TERM
                echo up >> %1$s
                while :; do sleep 0.1; done
                """.formatted(ev));
        Path go = root.out("go");
        Path main = InitRoot.sh(root.out("main.sh"), """
                trap '' HUP USR1 USR2 QUIT WINCH ALRM
                echo ready > %s
                until [ -e %s ]; do sleep 0.05; done
                exit 5
                """.formatted(root.out("ready"), go));
        try (Running run = init().mode(mode).options("-v").main(main.toString()).timeout(Duration.ofSeconds(60)).start()) {
            run.awaitFile(root.out("ready"), Duration.ofSeconds(15));
            run.awaitFile(ev, Duration.ofSeconds(15));
            long init = run.initPid();
            for (int i = 0; i < 100; i++) {
                for (Sig s : STORM) {
                    assertThat(s.send(init)).as("init gone during the storm at round %d, %s\n%s", i, s, run.describeNow())
                            .isTrue();
                }
            }
            MyInitRun.sleep(500);
            ProcFs.Proc after = ProcFs.stat(init).orElseThrow(() -> new AssertionError("init gone\n" + run.describeNow()));
            assertThat(after.state()).as("init neither dead nor stopped\n" + run.describeNow()).isNotIn('Z', 'T', 't', 'X');
            Files.writeString(go, "go");
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(5);
            assertThat(r.logLines()).as(r::describe).contains("*** " + main + " exited with status 5.")
                    .doesNotContain("*** Init system aborted.");
            assertThat(InitRoot.lines(ev)).as("services shut down normally\n" + r.describe()).containsExactly("up", "term");
            // the init read each kind of signal (same kinds coalesce while pending): as PID 1, a
            // signal it had no way to receive would have been dropped by the kernel unseen
            for (Sig s : STORM) {
                assertThat(r.logLines()).as("the init received " + s + "\n" + r.describe())
                        .contains("*** Received SIG" + s.name() + ".");
            }
        }
    }
}
