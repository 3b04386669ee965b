package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import io.jinit.testcontainers.NeverPullPolicy;
import io.jinit.testcontainers.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

// The example of README ("Testing your image with Testcontainers"): copy it, replace the image.
@Testcontainers
class ExampleUsageIT {

    @Container
    MyInitContainer app = new MyInitContainer("jinit/base:latest")
            .withImagePullPolicy(new NeverPullPolicy())      // a locally built image
            .withNetworkMode("none")
            .withEnv("GREETING", "hello world")
            .withCopyToContainer(Transferable.of("#!/bin/sh\nexec sleep infinity\n", 0755),
                    "/etc/service/demo/run");                // a runit service

    @Test
    void bootsRunsItsServiceAndStopsGracefully() throws Exception {
        // start() returned: startup scripts done, runit up, every service running
        assertThat(app.services()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("demo");
            assertThat(s.state()).isEqualTo(ServiceStatus.State.RUN);
        });
        assertThat(app.containerEnvironment().value("GREETING")).hasValue("hello world");
        assertThat(app.execInContainer("cat", "/proc/1/comm").getStdout()).isEqualTo("my_init\n");

        // docker stop -t 10: my_init stops the services and exits 2 ("Init system aborted.")
        assertThat(app.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
    }
}
