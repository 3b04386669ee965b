package io.jinit.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnvPathsTest {
    @Test
    void underTheRealRootAreThePathsOfMyInit() {
        EnvPaths p = EnvPaths.under(Path.of("/"));
        assertThat(p.directory()).isEqualTo(Path.of("/etc/container_environment"));
        assertThat(p.shellFile()).isEqualTo(Path.of("/etc/container_environment.sh"));
        assertThat(p.jsonFile()).isEqualTo(Path.of("/etc/container_environment.json"));
    }

    @Test
    void underATestRoot() {
        EnvPaths p = EnvPaths.under(Path.of("/tmp/r"));
        assertThat(p.directory()).isEqualTo(Path.of("/tmp/r/etc/container_environment"));
        assertThat(p.shellFile()).isEqualTo(Path.of("/tmp/r/etc/container_environment.sh"));
        assertThat(p.jsonFile()).isEqualTo(Path.of("/tmp/r/etc/container_environment.json"));
    }

    @Test
    void nullsAreRejected() {
        assertThatThrownBy(() -> new EnvPaths(null, Path.of("a"), Path.of("b"))).isInstanceOf(NullPointerException.class);
    }
}
