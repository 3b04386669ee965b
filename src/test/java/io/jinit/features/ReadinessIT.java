package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --wait-for-services[=TIMEOUT]} starts the main command only once every
 * enabled runit service runs and its {@code check} passes; on timeout it exits 1 naming the
 * services ({@code --services-not-ready=warn}: a warning, and the main command runs). Without the
 * option the main command starts at once, as under phusion's my_init. Real runsvdir, as PID 1 of
 * a PID namespace.
 */
@Timeout(300)
class ReadinessIT {
    @TempDir
    Path root;

    /** Service {@code slow} becomes ready (its check passes) 3 s after it starts; {@code plain} at once. */
    @BeforeEach
    void services() throws Exception {
        Path service = root.resolve("etc/service");
        Shell.script(service.resolve("slow/run"), """
                sleep 3
                touch %1$s/slow.ready
                exec sleep 1000
                """.formatted(root));
        Shell.script(service.resolve("slow/check"), "test -f %s/slow.ready".formatted(root));
        Shell.script(service.resolve("plain/run"), "exec sleep 1000");
        // disabled (a down file): never ready, and never waited for
        Shell.script(service.resolve("off/run"), "exec sleep 1000");
        Shell.script(service.resolve("off/check"), "exit 1");
        Files.createFile(service.resolve("off/down"));
    }

    /** Records whether {@code slow} was ready when the main command ran. */
    private List<String> main() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                if [ -f $M/slow.ready ]; then echo ready; else echo not-ready; fi > $M/main.saw
                """);
        return List.of("sh", root.resolve("main.sh").toString());
    }

    @Test
    void theMainCommandStartsOnlyWhenEveryEnabledServiceIsReady() throws Exception {
        Result r = Init.in(root).asPid1().args(Fixtures.withMain(main(), "--wait-for-services=60")).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Shell.lines(root.resolve("main.saw"))).as(r.describe()).containsExactly("ready");
        assertThat(r.stderrLines()).contains("*** All 2 services are ready.");
    }

    @Test
    void withoutTheOptionTheMainCommandStartsAtOnce() throws Exception {
        Result r = Init.in(root).asPid1().args(Fixtures.withMain(main())).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Shell.lines(root.resolve("main.saw"))).as(r.describe()).containsExactly("not-ready");
    }

    @Test
    void envDefaultWaitsToo() throws Exception {
        Result r = Init.in(root).asPid1().env("MY_INIT_WAIT_FOR_SERVICES", "60s").args(Fixtures.withMain(main())).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(Shell.lines(root.resolve("main.saw"))).as(r.describe()).containsExactly("ready");
    }

    @Test
    void aServiceThatNeverBecomesReadyFailsTheBootNamingIt() throws Exception {
        Shell.script(root.resolve("etc/service/never/run"), "exec sleep 1000");
        Shell.script(root.resolve("etc/service/never/check"), "exit 1");
        Result r = Init.in(root).asPid1().args(Fixtures.withMain(main(), "--wait-for-services=10")).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.describe()).contains("*** Services not ready after 10000 ms: never.");
        assertThat(root.resolve("main.saw")).as("the main command never ran").doesNotExist();
        assertThat(r.stderr()).doesNotContain("Running sh");
    }

    @Test
    void warnModeStartsTheMainCommandAnyway() throws Exception {
        Shell.script(root.resolve("etc/service/never/run"), "exec sleep 1000");
        Shell.script(root.resolve("etc/service/never/check"), "exit 1");
        Result r = Init.in(root).asPid1().args(Fixtures.withMain(main(), "--wait-for-services=10",
                "--services-not-ready=warn")).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(r.stderrLines()).as(r.describe())
                .contains("*** Services not ready after 10000 ms: never. Starting the main command anyway.");
        assertThat(root.resolve("main.saw")).as(r.describe()).exists();
    }
}
