package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Phase 3 (startup): /etc/my_init.d in byte-wise order, rc.local last, what is skipped,
 * failures, and the environment the startup scripts hand on to the main command.
 */
@Timeout(60)
class StartupIT extends InitTestBase {

    private static final Duration BOUND = Duration.ofSeconds(20);

    private Path events() {
        return root.out("events");
    }

    /** A startup script that appends tag to out/events. */
    private Path recorder(Path file, String tag) {
        return InitRoot.sh(file, "echo " + tag + " >> " + events());
    }

    @Test
    void scriptsRunInByteWiseOrderIncludingDotFiles() {
        // byte order: '-' 2D < '.' 2E < '1' < '2' < 'A' < 'B' < '_' 5F < 'a' < 'b';
        // a locale collation or a case-insensitive sort gives another order
        List<String> expected = List.of("-dash", ".dot", "10-ten", "2-two", "A-upper", "B-upper", "_under", "a",
                "a-lower", "b-lower");
        for (String n : expected.reversed()) {
            recorder(root.startupDir().resolve(n), n);
        }
        Result r = init().options("--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactlyElementsOf(expected);
        List<String> running = r.logLines().stream().filter(l -> l.startsWith("*** Running " + root.startupDir())).toList();
        assertThat(running).as(r::describe).containsExactlyElementsOf(
                expected.stream().map(n -> "*** Running " + root.startupDir().resolve(n) + "...").toList());
    }

    /** Creates executable recorders named "z-" + printf-escaped bytes, one per "tag:bytes" spec. */
    private void rawNamedRecorders(String... specs) {
        root.shell("""
                cd etc/my_init.d
                for spec in %s; do
                  tag=${spec%%%%:*}; bytes=${spec#*:}
                  name=$(printf "z-$bytes")
                  printf '#!/bin/sh\\necho %%s >> %%s\\n' "$tag" '%s' > "$name"
                  chmod 755 "$name"
                done
                [ $(ls | wc -l) = %d ]
                """.formatted(String.join(" ", java.util.Arrays.stream(specs).map(x -> "'" + x + "'").toList()),
                events(), specs.length));
    }

    @Test
    void nonAsciiNamesRunInByteWiseOrderNotUtf16Order() {
        // UTF-8 bytes: é C3 A9 < Ａ(U+FF21) EF BC A1 < 😀 F0 9F 98 80; Java's String order
        // (UTF-16 units) would put 😀 (D83D) before Ａ (FF21). Run with no LANG, as in Docker.
        rawNamedRecorders("e:\\303\\251", "fullwidthA:\\357\\274\\241", "emoji:\\360\\237\\230\\200");
        Result r = init().options("--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("e", "fullwidthA", "emoji");
    }

    @Test
    void scriptWhoseNameIsNotUtf8RunsInByteWiseOrder() {
        // "z-\xff" (not UTF-8) sorts after "z-é" (C3 A9) and "z-~" (7E) before both
        rawNamedRecorders("ff:\\377", "e:\\303\\251", "tilde:~");
        Result r = init().options("--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("tilde", "e", "ff");
    }

    @Test
    void nonExecutableEntriesAndDirectoriesAreSkippedSilently() throws Exception {
        recorder(root.startupDir().resolve("10-first"), "first");
        InitRoot.write(root.startupDir().resolve("20-notexec"), "#!/bin/sh\necho notexec >> " + events() + "\n", "rw-r--r--");
        Files.createDirectories(root.startupDir().resolve("30-adir"));
        recorder(root.startupDir().resolve("40-last"), "last");
        Result r = init().options("--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("first", "last");
        assertThat(r.errLines()).as(r::describe).noneMatch(l -> l.contains("20-notexec") || l.contains("30-adir"));
    }

    @Test
    void failingScriptStopsTheBootWithStatus1() {
        recorder(root.startupDir().resolve("10-ok"), "ok");
        Path failing = InitRoot.sh(root.startupDir().resolve("20-fail"), "echo fail >> " + events() + "\nexit 3");
        recorder(root.startupDir().resolve("30-after"), "after");
        recorder(root.rcLocal(), "rclocal");
        Result r = init().options("--skip-runit").mainSh("echo main >> " + events()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(1);
        assertThat(InitRoot.lines(events())).as("main and later scripts never run\n" + r.describe())
                .containsExactly("ok", "fail");
        List<String> lines = r.errLines();
        int i = lines.indexOf("*** " + failing + " failed with status 3");
        assertThat(i).as("the contract's failure line\n" + r.describe()).isNotNegative();
        assertThat(lines).as("a blank line follows the failure line\n" + r.describe()).hasSizeGreaterThan(i + 1);
        assertThat(lines.get(i + 1)).as(r::describe).isEmpty();
        assertThat(r.logLines()).as("kill-all still runs\n" + r.describe()).contains("*** Killing all processes...");
    }

    @Test
    void scriptKilledBySignalIsAFailureReportedAsASignal() {
        Path killed = InitRoot.sh(root.startupDir().resolve("10-killed"), "kill -KILL $$");
        Result r = init().options("--skip-runit").mainSh("echo main >> " + events()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(1);
        assertThat(events()).doesNotExist();
        assertThat(r.logLines()).as(r::describe)
                .anyMatch(l -> l.contains(killed.toString()) && l.matches(".*" + MyInitRun.signalRegex(Sig.KILL) + ".*"))
                .noneMatch(l -> l.contains("status 0"));
    }

    @Test
    void scriptWithoutShebangRunsThroughBinSh() {
        InitRoot.executable(root.startupDir().resolve("10-noshebang"), "echo noshebang >> " + events() + "\n");
        Result r = init().options("--skip-runit").main("true").timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("noshebang");
    }

    @Test
    void variableWrittenByAScriptReachesLaterScriptsAndTheMainCommand() {
        InitRoot.sh(root.startupDir().resolve("10-write"), "printf 'bar\\n' > " + root.envDir().resolve("FOO"));
        InitRoot.sh(root.startupDir().resolve("20-read"), "printf '%s' \"$FOO\" > " + root.out("script-foo"));
        Result r = init().options("--skip-runit").mainSh("printf '%s' \"$FOO\" > " + root.out("main-foo"))
                .timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.read(root.out("script-foo"))).as(r::describe).isEqualTo("bar");
        assertThat(InitRoot.read(root.out("main-foo"))).as(r::describe).isEqualTo("bar");
        assertThat(InitRoot.read(root.envSh())).as(r::describe).contains("export FOO=bar\n");
    }

    @Test
    void environmentOfTheInitWinsOverTheDirectoryAtBoot() {
        InitRoot.write(root.envDir().resolve("FROMBOTH"), "dir\n", "rw-r--r--");
        InitRoot.write(root.envDir().resolve("ONLYDIR"), "dir-only\n", "rw-r--r--");
        Result r = init().env("FROMBOTH", "env").options("--skip-runit")
                .mainSh("printf '%s|%s' \"$FROMBOTH\" \"$ONLYDIR\" > " + root.out("seen")).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.read(root.out("seen"))).as(r::describe).isEqualTo("env|dir-only");
    }

    @Test
    void rcLocalRunsAfterEveryStartupScript() {
        recorder(root.rcLocal(), "rc.local");
        recorder(root.startupDir().resolve("zz-last"), "zz-last");
        recorder(root.startupDir().resolve("00-first"), "00-first");
        Result r = init().options("--skip-runit").mainSh("echo main >> " + events()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("00-first", "zz-last", "rc.local", "main");
        assertThat(r.logLines()).as(r::describe).contains("*** Running " + root.rcLocal() + "...");
    }

    @Test
    void nonExecutableRcLocalIsSkipped() {
        InitRoot.write(root.rcLocal(), "#!/bin/sh\necho rc.local >> " + events() + "\n", "rw-r--r--");
        Result r = init().options("--skip-runit").mainSh("echo main >> " + events()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("main");
    }

    @Test
    void homeAndUserStaySetAfterAStartupScriptRan() {
        InitRoot.sh(root.startupDir().resolve("10-noop"), "true");
        InitRoot.sh(root.startupDir().resolve("20-home"), "printf '%s|%s' \"$HOME\" \"$USER\" > " + root.out("script-home"));
        Result r = init().env("HOME", "/home/tester").env("USER", "tester").options("--skip-runit")
                .mainSh("printf '%s|%s' \"$HOME\" \"$USER\" > " + root.out("main-home")).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.read(root.out("script-home"))).as(r::describe).isEqualTo("/home/tester|tester");
        assertThat(InitRoot.read(root.out("main-home"))).as(r::describe).isEqualTo("/home/tester|tester");
        // ...and they are never written out (Keep)
        assertThat(root.envDir().resolve("HOME")).doesNotExist();
        assertThat(root.envDir().resolve("USER")).doesNotExist();
        assertThat(InitRoot.read(root.envSh())).as(r::describe).doesNotContain("HOME=", "USER=");
    }

    @Test
    void envInitDirectoryReplacesMyInitD() {
        Path other = root.path().resolve("elsewhere");
        recorder(other.resolve("10-other"), "other");
        recorder(root.startupDir().resolve("10-default"), "default");
        Result r = init().env("ENV_INIT_DIRECTORY", other.toString()).options("--skip-runit").main("true")
                .timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("other");
    }

    @Test
    void skipStartupFilesRunsNoScriptAndNoRcLocal() {
        recorder(root.startupDir().resolve("10-script"), "script");
        recorder(root.rcLocal(), "rc.local");
        Result r = init().options("--skip-runit", "--skip-startup-files").mainSh("echo main >> " + events())
                .timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("main");
    }

    @Test
    void myInitRootFromTheEnvironment() {
        recorder(root.startupDir().resolve("10-script"), "script");
        Result r = init().rootByEnv().options("--skip-runit").mainSh("echo main >> " + events()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("script", "main");
    }

    @Test
    void enableInsecureKeyRunsTheInstallerBeforeTheStartupScripts() {
        InitRoot.sh(root.path().resolve("usr/sbin/enable_insecure_key"), "echo insecure-key >> " + events());
        recorder(root.startupDir().resolve("10-script"), "script");
        Result r = init().options("--skip-runit", "--enable-insecure-key").mainSh("echo main >> " + events())
                .timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("insecure-key", "script", "main");
        assertThat(r.logLines()).as(r::describe).contains("*** Installing insecure SSH key for user root");
    }

    @Test
    void withoutEnableInsecureKeyTheInstallerNeverRuns() {
        InitRoot.sh(root.path().resolve("usr/sbin/enable_insecure_key"), "echo insecure-key >> " + events());
        Result r = init().options("--skip-runit").mainSh("echo main >> " + events()).timeout(BOUND).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.lines(events())).as(r::describe).containsExactly("main");
    }
}
