package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;

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
}
