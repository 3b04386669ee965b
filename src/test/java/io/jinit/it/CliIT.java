package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Command line and environment errors: the contract's exit statuses and "nothing started"
 * (a startup script that would leave a marker did not run, no main command ran).
 */
@Timeout(60)
class CliIT extends InitTestBase {

    private static final Duration BOUND = Duration.ofSeconds(20);

    private Path started;

    @BeforeEach
    void startupMarker() {
        started = root.out("started");
        InitRoot.sh(root.startupDir().resolve("10-marker"), "echo started >> " + started);
    }

    private void assertNothingStarted(Result r) {
        assertThat(started).as("no startup script ran\n" + r.describe()).doesNotExist();
        assertThat(root.out("main")).as("no main command ran\n" + r.describe()).doesNotExist();
        assertThat(r.errLines()).as(r::describe).noneMatch(l -> l.startsWith("*** Running"));
    }

    @Test
    void skipRunitWithoutMainCommandIsAnError() {
        Result r = init().options("--skip-runit").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(1);
        assertThat(r.errLines()).as(r::describe)
                .contains("*** When --skip-runit is given, you must also pass a main command.");
        assertNothingStarted(r);
    }

    @Test
    void unknownOptionExits2AndStartsNothing() {
        Result r = init().options("--no-such-option").main("sh", "-c", "echo main > " + root.out("main")).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
        assertThat(r.err()).as(r::describe).contains("--no-such-option");
        assertNothingStarted(r);
    }

    @Test
    void mainCommandWithDashArgumentsButNoDoubleDashExits2() {
        Result r = init().rawArgs("sh", "-c", "echo main > " + root.out("main")).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
        assertNothingStarted(r);
    }

    @ParameterizedTest
    @CsvSource({
        "KILL_PROCESS_TIMEOUT, abc",
        "KILL_PROCESS_TIMEOUT, -1",
        "KILL_PROCESS_TIMEOUT, 99999999999",
        "KILL_ALL_PROCESSES_TIMEOUT, abc",
        "KILL_ALL_PROCESSES_TIMEOUT, -1",
        "KILL_ALL_PROCESSES_TIMEOUT, 99999999999",
    })
    void badTimeoutIsOneClearErrorLineAndExit2(String name, String value) {
        Result r = init().env(name, value).main("sh", "-c", "echo main > " + root.out("main")).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
        assertThat(r.errLines().stream().filter(l -> !l.isBlank()).toList()).as(r::describe)
                .singleElement().satisfies(l -> assertThat(l).contains(name).contains(value));
        assertNothingStarted(r);
    }

    @Test
    void helpExits0() {
        Result r = init().rawArgs("--help").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.out() + r.err()).as(r::describe).contains("--skip-runit", "--skip-startup-files",
                "--no-kill-all-on-exit", "--quiet", "--enable-insecure-key");
        assertNothingStarted(r);
    }

    @Test
    void shortHelpExits0() {
        Result r = init().rawArgs("-h").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertNothingStarted(r);
    }

    @Test
    void versionExits0() {
        Result r = init().rawArgs("--version").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        // the version the build gave the module (pom: project.version), and the Java feature release
        String version = System.getProperty("jinit.version");
        assertThat(version).as("failsafe passes -Djinit.version").isNotBlank();
        // the commit (-dirty with local changes) and build time come from build-info.properties ("unknown" outside git)
        assertThat(r.out()).as(r::describe).matches(java.util.regex.Pattern.quote("jinit " + version)
                + " \\(commit ([0-9a-f]{12}(-dirty)?|unknown), built (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ|unknown)\\)\n"
                + java.util.regex.Pattern.quote("my_init-compatible init for containers, Java " + Runtime.version().feature())
                + "\n");
        assertThat(r.err()).as(r::describe).isEmpty();
        assertNothingStarted(r);
    }

    @Test
    void quietHidesInfoButKeepsStatus() {
        Result r = init().options("--quiet", "--skip-runit").main("sh", "-c", "exit 3").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(3);
        assertThat(r.logLines()).as(r::describe).isEmpty();
        assertThat(started).as(r::describe).exists();
    }

    @Test
    void quietStillShowsErrors() {
        Path failing = InitRoot.sh(root.startupDir().resolve("20-fail"), "exit 3");
        Result r = init().options("--quiet", "--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(1);
        assertThat(r.logLines()).as(r::describe).containsExactly("*** " + failing + " failed with status 3");
    }
}
