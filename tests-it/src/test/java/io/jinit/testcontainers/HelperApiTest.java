package io.jinit.testcontainers;

import org.junit.jupiter.api.Test;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The helper's public API as users call it (issue 20), without Docker: the constructors that
 * GenericContainer users expect, the init's log, and the reasons {@code start()} fails with when
 * runit cannot supervise a service or the container ran out of memory.
 */
class HelperApiTest {

    @Test
    void constructorsTakeAnImageFromDockerfileAFutureAndADockerImageName() {
        ImageFromDockerfile fromDockerfile = new ImageFromDockerfile("jinit-it/helper-api", false)
                .withDockerfileFromBuilder(b -> b.from("jinit/base:latest").cmd("/sbin/my_init").build());
        // compiles, and builds nothing until start() (MyInitContainerIT starts one)
        try (MyInitContainer c = new MyInitContainer(fromDockerfile)) {
            assertThat(c.getContainerId()).isNull();
        }
        Future<String> future = CompletableFuture.completedFuture("jinit/base:latest");
        try (MyInitContainer c = new MyInitContainer(future)) {
            assertThat(c.getContainerId()).isNull();
        }
        try (MyInitContainer c = new MyInitContainer(DockerImageName.parse("jinit/base:latest"))) {
            assertThat(c.getContainerId()).isNull();
        }
    }

    @Test
    void initLogReadsTheTextAndTheJsonFormatAndLeavesOtherLinesOut() {
        InitLog text = InitLog.parse("""
                *** Running /etc/my_init.d/10_setup...
                a line of the script
                *** Booting runit daemon...
                *** Runit started as PID 22""", false);
        assertThat(text.messages()).containsExactly("Running /etc/my_init.d/10_setup...",
                "Booting runit daemon...", "Runit started as PID 22");
        assertThat(text.named("runit.start")).isEmpty();

        InitLog json = InitLog.parse("""
                {"ts":"2026-12-03T10:00:00Z","level":"info","event":"runit.start","message":"Runit started as PID 22","pid":22}
                not the init's
                {"level":"error","event":"services.not_ready","message":"Services not ready after 5000 ms: \\"web\\"."}
                """, true);
        assertThat(json.events()).containsExactly(
                new InitLog.Event("runit.start", "info", "Runit started as PID 22"),
                new InitLog.Event("services.not_ready", "error", "Services not ready after 5000 ms: \"web\"."));
        assertThat(json.named("runit.start")).extracting(InitLog.Event::message).containsExactly("Runit started as PID 22");
        assertThat(json.servicesNotReady()).isPresent();
    }

    @Test
    void aServiceRunitCannotSuperviseIsNamedWithRunsvsReason() {
        String logs = """
                *** Booting runit daemon...
                *** Runit started as PID 22
                runsv web: fatal: unable to open supervise/lock: read-only file system
                """;
        assertThat(MyInitBootWaitStrategy.runsvFatal(logs, null)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("service web cannot be supervised: runsv says \"runsv web: fatal: unable to open"
                        + " supervise/lock: read-only file system\""));
        assertThat(MyInitBootWaitStrategy.runsvFatal(logs, Set.of("web", "db"))).isPresent();
        assertThat(MyInitBootWaitStrategy.runsvFatal(logs, Set.of("db"))).as("not awaited").isEmpty();
        assertThat(MyInitBootWaitStrategy.runsvFatal("a service printed: runsv web: fatal: unable to open supervise/lock\n",
                null)).as("only whole lines of runsv").isEmpty();
        assertThat(MyInitBootWaitStrategy.runsvFatal("runsv web: fatal: unable to start ./run: access denied\n", null))
                .as("a run that cannot be started is a crash loop, reported as such").isEmpty();
        assertThat(MyInitBootWaitStrategy.runsvFatal("runsv db: fatal: unable to mkdir supervise: read-only file system\n",
                null)).hasValueSatisfying(m -> assertThat(m).startsWith("service db cannot be supervised"));
    }

    @Test
    void anOutOfMemoryKillIsNamed() {
        assertThat(MyInitBootWaitStrategy.outOfMemory(true, 64L << 20))
                .isEqualTo(" (out of memory: the kernel's OOM killer killed a process of the container, Docker's"
                        + " State.OOMKilled is true; the container's memory limit is 67108864 bytes (64 MiB))");
        assertThat(MyInitBootWaitStrategy.outOfMemory(true, 0L)).contains("no memory limit set");
        assertThat(MyInitBootWaitStrategy.outOfMemory(false, 64L << 20)).isEmpty();
        assertThat(MyInitBootWaitStrategy.outOfMemory(null, null)).isEmpty();
    }
}
