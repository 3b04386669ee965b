package io.jinit.testcontainers;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Run by surefire's execution "testcontainers-1" only, with Testcontainers 1.21.3 instead of 2.0.x
 * on the class path (see tests-it/helper/pom.xml): the helper must refuse it at once with a message that
 * names both versions, not fail later with a NoSuchMethodError.
 */
class Testcontainers1RefusedTest {

    @Test
    void testcontainers1IsRefusedByTheConstructor() {
        assertThat(GenericContainer.class.getPackage().getImplementationVersion())
                .as("this test runs with Testcontainers 1.21.3 on the class path").isEqualTo("1.21.3");
        assertThatThrownBy(() -> new MyInitContainer("jinit/base:latest"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs Testcontainers 2.0.0 or newer")
                .hasMessageContaining("Testcontainers 1.21.3 is on the class path");
    }
}
