package io.jinit.it;

import io.jinit.testcontainers.InitLog;
import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The helper's own behaviour where the scenario tests do not already show it. */
class MyInitContainerIT {

    @Test
    void withSkipRunitTheBootWaitEndsWhenTheMainCommandWasStarted() {
        try (MyInitContainer c = It.myInit(It.image("startup")).withMyInitCommand("--skip-runit", "--", "startup-main")) {
            c.start();
            assertThat(It.logs(c).stderrText()).as("start() returned after the main command's line")
                    .contains("*** Running startup-main...");
            assertThat(It.readText(c, "/var/log/markers/order")).as("startup scripts ran before").contains("rc.local\n");
            assertThat(It.ps(c)).as("--skip-runit").noneMatch(p -> p.comm().equals("runsvdir"));
            assertThat(c.services()).isEmpty();

            assertThatThrownBy(() -> c.awaitExit(Duration.ofMillis(300)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("still runs after 300 ms");
            assertThatThrownBy(() -> c.stopGracefully(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(c.stopGracefully(Duration.ofMillis(10_500))).isEqualTo(2);
        }
    }

    @Test
    void stopGracefullyOfAContainerThatAlreadyExitedReturnsItsStatus() {
        try (MyInitContainer c = It.myInit(It.image("tools")).withMyInitCommand("--quiet", "--", "sh", "-c", "exit 3")
                .expectingExit()) {
            c.start();
            assertThat(c.awaitExit(Duration.ofSeconds(60))).isEqualTo(3);
            assertThat(c.stopGracefully(Duration.ofSeconds(1))).isEqualTo(3);
            assertThat(c.containerEnvironment().directoryMode()).as("readable after the exit").hasValue(0700);
        }
    }

    @Test
    void stopGracefullyBeforeStartIsAnError() {
        try (MyInitContainer c = It.myInit(It.BASE)) {
            assertThatThrownBy(() -> c.stopGracefully(Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not been started");
        }
    }

    @Test
    void anImageFromDockerfileBootsAndItsInitLogIsReadInBothFormats() {
        // issue 20: the constructor GenericContainer users expect (a Future<String>)
        ImageFromDockerfile image = new ImageFromDockerfile("jinit-it/from-dockerfile", true)
                .withDockerfileFromBuilder(b -> b.from(It.BASE)
                        .run("mkdir -p /etc/service/web && printf '#!/bin/sh\\nexec sleep infinity\\n' > /etc/service/web/run"
                                + " && chmod +x /etc/service/web/run")
                        .cmd("/sbin/my_init").build())
                .withBuildImageCmdModifier(cmd -> cmd.withNetworkMode("none").withPull(false));
        try (MyInitContainer c = new MyInitContainer(image).withNetworkMode("none")) {
            c.start();
            assertThat(c.services()).extracting(s -> s.name() + " " + s.state()).containsExactly("web RUN");
            InitLog log = c.initLog();
            assertThat(log.messages()).contains("Booting runit daemon...");
            assertThat(log.messages()).anyMatch(m -> m.matches("Runit started as PID \\d+"));
            assertThat(log.events()).allMatch(e -> e.name().isEmpty(), "text lines carry no event names");
        }
        try (MyInitContainer c = It.myInit(It.BASE).withEnv("MY_INIT_LOG_FORMAT", "json")
                .withMyInitCommand("--skip-runit", "--", "sleep", "infinity")) {
            c.start();
            InitLog log = c.initLog();
            assertThat(log.named("main.start")).extracting(InitLog.Event::message)
                    .containsExactly("Running sleep infinity...");
            assertThat(log.named("main.start")).extracting(InitLog.Event::level).containsExactly("info");
        }
    }

    @Test
    void aServiceRunitCannotSuperviseFailsStartAtOnceNamingItAndRunsvsReason() {
        // runsv cannot open supervise/lock (supervise is a file), and my_init cannot run the service
        // from a copy under /run/jinit either (a file there; on a read-only root without a writable
        // /run the same happens): runsvdir would retry it forever
        try (MyInitContainer c = It.myInit(It.BASE)
                .withCopyToContainer(Transferable.of("#!/bin/sh\nexec sleep infinity\n", 0755), "/etc/service/unsupervised/run")
                .withCopyToContainer(Transferable.of("not a directory\n", 0644), "/etc/service/unsupervised/supervise")
                .withCopyToContainer(Transferable.of("not a directory\n", 0644), "/run/jinit")) {
            c.waitingFor(new io.jinit.testcontainers.MyInitBootWaitStrategy().withStartupTimeout(Duration.ofSeconds(50)));
            assertThatThrownBy(c::start).isInstanceOf(ContainerLaunchException.class).satisfies(e -> assertThat(causes(e))
                    .contains("service unsupervised cannot be supervised: runsv says \"runsv unsupervised: fatal: unable to"
                            + " open supervise/lock: not a directory\"")
                    .doesNotContain("did not finish booting within"));
        }
    }

    @Test
    void anOutOfMemoryKillDuringStartIsNamed() {
        long limit = 128L << 20;
        // a startup script whose pipeline outgrows the container's memory: the OOM killer kills it
        try (MyInitContainer c = It.myInit(It.BASE)
                .withCopyToContainer(Transferable.of("#!/bin/sh\nhead -c 400m /dev/zero | tail\n", 0755), "/etc/my_init.d/10_hungry")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withMemory(limit).withMemorySwap(limit))) {
            assertThatThrownBy(c::start).isInstanceOf(ContainerLaunchException.class).satisfies(e -> assertThat(causes(e))
                    .contains("container exited with status 1 (out of memory: the kernel's OOM killer killed a process of"
                            + " the container, Docker's State.OOMKilled is true; the container's memory limit is 134217728"
                            + " bytes (128 MiB)) before my_init finished booting: a startup script failed"));
        }
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
