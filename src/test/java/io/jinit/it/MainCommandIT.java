package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The main command under a PID-1 init: exit statuses (contract "Exit status of my_init"),
 * signal deaths, exec failures with their reason, shebang-less files, argv passing.
 */
@Timeout(60)
class MainCommandIT extends InitTestBase {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @Test
    void exitStatusOfMainIsTheInitsStatus() {
        Result r = init().options("--skip-runit").mainSh("exit 7").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(7);
        assertThat(r.logLines()).as(r::describe)
                .contains("*** Running sh -c exit 7...", "*** sh exited with status 7.");
    }

    @Test
    void exitStatusZeroIsAStatus() {
        Result r = init().options("--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.logLines()).as(r::describe).contains("*** true exited with status 0.");
    }

    @Test
    void exitStatusOfMainIsKeptWhenRunitRuns() {
        Result r = init().mainSh("exit 7").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(7);
        assertThat(r.logLines()).as(r::describe)
                .contains("*** Booting runit daemon...", "*** sh exited with status 7.")
                .anyMatch(l -> l.matches("\\*\\*\\* Runit started as PID \\d+"));
    }

    @Test
    void mainKilledBySigkillGives137AndNamesTheSignal() {
        Result r = init().options("--skip-runit").mainSh("kill -KILL $$").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(137);
        assertThat(r.logLines()).as(r::describe)
                .anyMatch(l -> l.startsWith("*** sh ") && l.matches(".*" + MyInitRun.signalRegex(Sig.KILL) + ".*"));
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "KILL", "SEGV", "ABRT"})
    void mainKilledBySignalGives128PlusS(Sig s) {
        // ulimit -c 0: core_pattern here is "core" (a file in the cwd)
        Result r = init().options("--skip-runit").mainSh("ulimit -c 0; kill -" + s.name() + " $$").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(128 + s.number);
        assertThat(r.logLines()).as(r::describe)
                .as("a log line naming SIG%s", s.name())
                .anyMatch(l -> l.startsWith("*** sh ") && l.matches(".*" + MyInitRun.signalRegex(s) + ".*"))
                .noneMatch(l -> l.equals("*** sh exited with status 0."));
    }

    @Test
    void missingProgramGives127WithAReason() {
        Result r = init().options("--skip-runit").main("/no/such/cmd").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(127);
        assertThat(r.errLines()).as(r::describe)
                .anyMatch(l -> l.contains("/no/such/cmd") && l.contains("No such file or directory"));
    }

    @Test
    void programNotOnPathGives127WithAReason() {
        Result r = init().options("--skip-runit").main("jinit-no-such-program").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(127);
        assertThat(r.errLines()).as(r::describe)
                .anyMatch(l -> l.contains("jinit-no-such-program") && l.contains("No such file or directory"));
    }

    @Test
    void nonExecutableFileGives126WithAReason() {
        Path f = InitRoot.write(root.out("not-executable"), "#!/bin/sh\necho ran > " + root.out("ran") + "\n", "rw-r--r--");
        Result r = init().options("--skip-runit").main(f.toString()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(126);
        assertThat(r.errLines()).as(r::describe)
                .anyMatch(l -> l.contains(f.toString()) && l.contains("Permission denied"));
        assertThat(root.out("ran")).doesNotExist();
    }

    @Test
    void fileWithoutShebangRunsThroughBinSh() {
        Path f = InitRoot.executable(root.out("no-shebang"),
                "echo \"via sh: $1\" > " + root.out("ran") + "\nexit 5\n");
        Result r = init().options("--skip-runit").main(f.toString(), "arg1").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(5);
        assertThat(InitRoot.read(root.out("ran"))).isEqualTo("via sh: arg1\n");
    }

    @Test
    void aSecondDoubleDashIsAnArgument() {
        Result r = init().options("--skip-runit").main("printf", "%s\\n", "a", "--", "b").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.out()).as(r::describe).isEqualTo("a\n--\nb\n");
    }

    @Test
    void argumentsReachTheMainCommandUnchanged() {
        Result r = init().options("--skip-runit")
                .main("printf", "[%s]", "with space", "", "q'\"$x`", "ünï", "-v").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.out()).as(r::describe).isEqualTo("[with space][][q'\"$x`][ünï][-v]");
    }
}
