package io.jinit.testcontainers;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The boot wait's reading of a container (no Docker): my_init's settings from the command line and
 * the MY_INIT_* environment, the init's events in text and JSON logs, the probe's output, crash
 * loops, and the Testcontainers version check. Compiled and run with JDK 17 too (tests-it/helper/pom.xml).
 */
class BootSettingsTest {

    private static MyInitCommandLine parse(List<String> args, Map<String, String> env) {
        return MyInitCommandLine.parse("/sbin/my_init", args, env);
    }

    @Test
    void environmentSetsWhatTheCommandLineDoesNot() {
        MyInitCommandLine c = parse(List.of("--", "sleep", "infinity"),
                Map.of("MY_INIT_SKIP_RUNIT", "1", "MY_INIT_QUIET", "yes", "MY_INIT_LOG_FORMAT", "json",
                        "MY_INIT_ROOT", "/r/", "MY_INIT_WAIT_FOR_SERVICES", "3s"));
        assertThat(c.skipRunit()).isTrue();
        assertThat(c.quiet()).isTrue();
        assertThat(c.json()).isTrue();
        assertThat(c.serviceDir()).isEqualTo("/r/etc/service");
        assertThat(c.waitForServices()).hasValue(Duration.ofSeconds(3));
        assertThat(c.main()).containsExactly("sleep", "infinity");
    }

    @Test
    void flagsNeedATrueWordAndTheCommandLineWins() {
        MyInitCommandLine off = parse(List.of(), Map.of("MY_INIT_SKIP_RUNIT", "0", "MY_INIT_QUIET", "no"));
        assertThat(off.skipRunit()).isFalse();
        assertThat(off.quiet()).isFalse();
        assertThat(off.json()).isFalse();
        assertThat(off.waitForServices()).isEmpty();

        MyInitCommandLine text = parse(List.of("--log-format=text", "--root", "/x"),
                Map.of("MY_INIT_LOG_FORMAT", "json", "MY_INIT_ROOT", "/y"));
        assertThat(text.json()).isFalse();
        assertThat(text.serviceDir()).isEqualTo("/x/etc/service");

        MyInitCommandLine separate = parse(List.of("--log-format", "json"), Map.of());
        assertThat(separate.json()).isTrue();
    }

    @Test
    void verboseWinsOverQuietAsInTheInit() {
        assertThat(parse(List.of("--quiet", "-v"), Map.of()).quiet()).isFalse();
        assertThat(parse(List.of(), Map.of("MY_INIT_QUIET", "1", "MY_INIT_VERBOSE", "true")).quiet()).isFalse();
        assertThat(parse(List.of("--quiet"), Map.of()).quiet()).isTrue();
    }

    @Test
    void waitForServicesWithAndWithoutValue() {
        assertThat(parse(List.of("--wait-for-services"), Map.of()).waitForServices()).hasValue(Duration.ofSeconds(30));
        assertThat(parse(List.of("--wait-for-services=500ms"), Map.of()).waitForServices()).hasValue(Duration.ofMillis(500));
        assertThat(parse(List.of("--wait-for-services", "2m", "--", "x"), Map.of()).waitForServices())
                .hasValue(Duration.ofMinutes(2));
        MyInitCommandLine beforeMain = parse(List.of("--wait-for-services", "--", "x"), Map.of());
        assertThat(beforeMain.waitForServices()).hasValue(Duration.ofSeconds(30));
        assertThat(beforeMain.main()).containsExactly("x");
        assertThat(MyInitCommandLine.duration("1h")).hasValue(Duration.ofHours(1));
        assertThat(MyInitCommandLine.duration("soon")).isEmpty();
    }

    @Test
    void inspectEnvEntries() {
        assertThat(MyInitCommandLine.environment(new String[] {"A=1", "B=x=y", "NOVALUE", "A=2"}))
                .containsExactlyInAnyOrderEntriesOf(Map.of("A", "2", "B", "x=y"));
        assertThat(MyInitCommandLine.environment(null)).isEmpty();
    }

    @Test
    void textEvents() {
        InitLog log = InitLog.parse("""
                *** Running /etc/my_init.d/10_x...
                hello from a script
                *** Booting runit daemon...
                *** All 2 services are ready.
                *** Running sleep infinity...
                *** sh exited with status 3.
                """, false);
        assertThat(log.mainStarted(List.of("sleep", "infinity"))).isTrue();
        assertThat(log.mainStarted(List.of("sleep", "1"))).isFalse();
        assertThat(log.servicesReady()).isPresent();
        assertThat(log.servicesNotReady()).isEmpty();
        assertThat(log.mainExited()).get().extracting(InitLog.Event::message).isEqualTo("sh exited with status 3.");
        assertThat(log.scriptFailed()).isEmpty();
    }

    @Test
    void textFailures() {
        InitLog log = InitLog.parse("""
                *** /etc/my_init.d/10_crlf failed: /etc/my_init.d/10_crlf: bad interpreter "/bin/sh\\r" on its #! line
                ***\s
                *** Services not ready after 3000 ms: db.
                *** Runit exited with status 0
                """, false);
        assertThat(log.scriptFailed()).get().extracting(InitLog.Event::message).asString().contains("/bin/sh\\r");
        assertThat(log.servicesNotReady()).get().extracting(InitLog.Event::message)
                .isEqualTo("Services not ready after 3000 ms: db.");
        assertThat(log.mainExited()).as("runit's line is not the main command's").isEmpty();
    }

    @Test
    void jsonEvents() {
        InitLog log = InitLog.parse("""
                {"time":"2026-01-01T00:00:00Z","level":"info","phase":"main","event":"main.start","message":"Running sleep \\"x\\"...","argv":["sleep","x"]}
                not json
                {"time":"t","level":"error","phase":"runit","event":"services.not_ready","message":"Services not ready after 3000 ms: db.","services":"db"}
                {"time":"t","level":"info","phase":"main","event":"main.exited","message":"sh exited with status 3.","pid":17,"status":3}
                """, true);
        assertThat(log.events()).hasSize(3);
        assertThat(log.mainStarted(List.of("anything"))).as("main.start event").isTrue();
        assertThat(log.events().get(0).message()).isEqualTo("Running sleep \"x\"...");
        assertThat(log.servicesNotReady()).get().extracting(InitLog.Event::level).isEqualTo("error");
        assertThat(log.mainExited()).isPresent();
        assertThat(InitLog.parse("{\"event\":\"main.start\"}", false).events()).as("JSON only when json").isEmpty();
        assertThat(InitLog.unescape("a\\u00e9\\n\\\\")).isEqualTo("a\u00e9\n\\");
        assertThat(InitLog.unescape("bad \\u12")).as("malformed escape kept").isEqualTo("bad \\u12");
    }

    @Test
    void probeOutputWithRunBitStampAndCheck() {
        List<MyInitBootWaitStrategy.Probed> p = MyInitBootWaitStrategy.parse("""
                runsvdir 1
                service 1 db
                status run: /etc/service/db: (pid 30) 3s
                run 1
                stamp 400000006a0b1c2d00000001
                check 1
                service 1 web
                status down: /etc/service/web: 0s, normally up, want up
                run 0
                stamp 400000006a0b1c2d00000002
                """);
        assertThat(p).hasSize(2);
        assertThat(p.get(0).status().name()).isEqualTo("db");
        assertThat(p.get(0).check()).hasValue(1);
        assertThat(p.get(0).runExecutable()).isTrue();
        assertThat(p.get(1).runExecutable()).isFalse();
        assertThat(p.get(1).check()).isEmpty();
        assertThat(p.get(1).stamp()).isEqualTo("400000006a0b1c2d00000002");
    }

    private static MyInitBootWaitStrategy.Probed look(String line, String stamp, Integer check) {
        return new MyInitBootWaitStrategy.Probed(ServiceStatus.parse("web", true, line), true, stamp,
                java.util.Optional.ofNullable(check));
    }

    @Test
    void aServiceIsReadyWhenItKeepsItsPidAndPassesItsCheck() {
        MyInitBootWaitStrategy.CrashWatch w = new MyInitBootWaitStrategy.CrashWatch();
        MyInitBootWaitStrategy.Probed first = look("run: /etc/service/web: (pid 7) 0s", "s1", null);
        assertThat(w.see(first)).isEqualTo(1);
        assertThat(w.ready(first)).as("seen once").isFalse();
        MyInitBootWaitStrategy.Probed failing = look("run: /etc/service/web: (pid 7) 1s", "s1", 1);
        w.see(failing);
        assertThat(w.ready(failing)).as("./check exits 1").isFalse();
        MyInitBootWaitStrategy.Probed passing = look("run: /etc/service/web: (pid 7) 1s", "s1", 0);
        assertThat(w.see(passing)).isEqualTo(1);
        assertThat(w.ready(passing)).isTrue();
    }

    @Test
    void crashLoopsAreCountedFromStampsAndPids() {
        MyInitBootWaitStrategy.CrashWatch instant = new MyInitBootWaitStrategy.CrashWatch();
        int starts = 0;
        for (int i = 0; i <= MyInitBootWaitStrategy.CRASH_LIMIT; i++) {
            starts = instant.see(look("down: /etc/service/web: 0s, normally up, want up", "stamp" + i, null));
            instant.see(look("down: /etc/service/web: 0s, normally up, want up", "stamp" + i, null));
        }
        assertThat(starts).isEqualTo(MyInitBootWaitStrategy.CRASH_LIMIT);

        MyInitBootWaitStrategy.CrashWatch slow = new MyInitBootWaitStrategy.CrashWatch();
        for (int pid = 10; pid < 13; pid++) {
            starts = slow.see(look("run: /etc/service/web: (pid " + pid + ") 1s", "s" + pid, null));
        }
        assertThat(starts).isEqualTo(3);

        MyInitBootWaitStrategy.CrashWatch healthy = new MyInitBootWaitStrategy.CrashWatch();
        healthy.see(look("down: /etc/service/web: 0s, normally up, want up", "boot", null));
        healthy.see(look("run: /etc/service/web: (pid 5) 0s", "s5", null));
        assertThat(healthy.see(look("run: /etc/service/web: (pid 5) 1s", "s5", null))).isEqualTo(1);
    }

    @Test
    void serviceNamesAreChecked() {
        assertThat(new MyInitBootWaitStrategy().forServices("web", "db").services()).containsExactlyInAnyOrder("web", "db");
        assertThat(new MyInitBootWaitStrategy().forServices().services()).isEmpty();
        assertThatThrownBy(() -> new MyInitBootWaitStrategy().forServices("a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
    }

    @Test
    void testcontainers1IsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> MyInitContainer.checkTestcontainersVersion("1.21.3"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs Testcontainers 2.0.0 or newer")
                .hasMessageContaining("1.21.3");
        assertThatCode(() -> MyInitContainer.checkTestcontainersVersion("2.0.5")).doesNotThrowAnyException();
        assertThatCode(() -> MyInitContainer.checkTestcontainersVersion(null)).doesNotThrowAnyException();
        assertThatCode(() -> MyInitContainer.checkTestcontainersVersion("3.1")).doesNotThrowAnyException();
    }

    @Test
    void theTestcontainersOnTheClassPathIsSupported() {
        String version = org.testcontainers.containers.GenericContainer.class.getPackage().getImplementationVersion();
        assertThat(version).as("Testcontainers' manifest names its version").isNotBlank();
        assertThatCode(() -> new MyInitContainer("jinit/base:latest")).doesNotThrowAnyException();
    }
}
