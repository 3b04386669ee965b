package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.jinit.features.Fixtures.awaitLine;
import static io.jinit.features.Fixtures.trappingMain;
import static io.jinit.features.Fixtures.withMain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --rewrite FROM:TO} changes or drops ({@code :0}) forwarded signals;
 * {@code --stop-signal SIG} (or {@code --rewrite TERM:SIG}, or {@code MY_INIT_STOP_SIGNAL}) is what
 * the main command gets when the init stops it, while SIGTERM to the init still aborts (exit 2).
 */
@Timeout(240)
class RewriteIT {
    @TempDir
    Path root;

    @Test
    void usr1IsForwardedAsHup() throws Exception {
        List<String> main = trappingMain(root, List.of("HUP", "USR1"));
        try (Running init = Init.in(root).asPid1().args(withMain(main, "-v", "--skip-runit", "--rewrite", "USR1:HUP")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("USR1");
            awaitLine(init, root.resolve("main.got"), "HUP");
            awaitLine(init, root.resolve("child.got"), "HUP");
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactly("HUP");
        }
    }

    @Test
    void winchRewrittenToZeroIsDropped() throws Exception {
        List<String> main = trappingMain(root, List.of("HUP", "WINCH"));
        try (Running init = Init.in(root).asPid1().env("MY_INIT_REWRITE", "WINCH:0")
                .args(withMain(main, "-v", "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("WINCH");
            // the init has read WINCH (its -v line) before HUP is sent: were WINCH forwarded, it
            // would reach the main command before HUP does
            Shell.await("the init to receive WINCH", Fixtures.SOON,
                    () -> init.stderr().lines().anyMatch(l -> l.equals("*** Received SIGWINCH.")));
            init.signal("HUP");
            awaitLine(init, root.resolve("main.got"), "HUP");
            awaitLine(init, root.resolve("child.got"), "HUP");
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactly("HUP");
            assertThat(Shell.lines(root.resolve("child.got"))).containsExactly("HUP");
        }
    }

    /** The main command traps QUIT, TERM, WINCH and USR2, records which one came, and exits 0. */
    private List<String> stoppableMain() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                for s in QUIT TERM WINCH USR2; do trap "echo $s >> $M/main.got; exit 0" $s; done
                touch $M/main.ready
                while :; do sleep 0.1; done
                """);
        return List.of("sh", root.resolve("main.sh").toString());
    }

    @ParameterizedTest(name = "[{index}] {0}={1} {2} {3}")
    @CsvSource({
            "'', '', --stop-signal, QUIT, QUIT",
            "'', '', --stop-signal=SIGWINCH, '', WINCH",
            "'', '', --rewrite, TERM:USR2, USR2",
            "MY_INIT_STOP_SIGNAL, QUIT, '', '', QUIT",
            "MY_INIT_STOP_SIGNAL, QUIT, --stop-signal, WINCH, WINCH",
            "MY_INIT_REWRITE, TERM:USR2, --stop-signal, QUIT, QUIT",
            "MY_INIT_STOP_SIGNAL, QUIT, --rewrite, TERM:WINCH, WINCH",
            "'', '', '', '', TERM",
    })
    void theStopSignalReachesTheMainCommandAndTermStillAborts(String envName, String envValue, String option,
                                                             String value, String expected) throws Exception {
        Init init = Init.in(root).asPid1();
        if (!envName.isEmpty()) init.env(envName, envValue);
        List<String> args = new java.util.ArrayList<>(List.of("--skip-runit"));
        if (!option.isEmpty()) args.add(option);
        if (!value.isEmpty()) args.add(value);
        try (Running run = init.args(withMain(stoppableMain(), args.toArray(String[]::new))).start()) {
            Shell.awaitFile(root.resolve("main.ready"), run);
            run.signal("TERM");
            Result r = run.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderrLines()).as(r.describe()).contains("*** Init system aborted.");
            assertThat(Shell.lines(root.resolve("main.got"))).containsExactly(expected);
        }
    }
}
