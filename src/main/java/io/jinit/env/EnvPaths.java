package io.jinit.env;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the container environment lives: the three paths phusion's {@code my_init} uses, below
 * one root ({@link #under}).
 *
 * @param directory the variables directory, one file per variable ({@code /etc/container_environment})
 * @param shellFile the file to source in a shell ({@code /etc/container_environment.sh})
 * @param jsonFile  the JSON object of all variables ({@code /etc/container_environment.json})
 */
public record EnvPaths(Path directory, Path shellFile, Path jsonFile) {

    /** @throws NullPointerException if a path is null */
    public EnvPaths {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(shellFile, "shellFile");
        Objects.requireNonNull(jsonFile, "jsonFile");
    }

    /**
     * The standard paths under a root directory ({@code /} in production, {@code --root DIR} in tests).
     *
     * @param root the root; its {@code etc/} holds the three paths
     * @return {@code root/etc/container_environment}, {@code root/etc/container_environment.sh},
     *     {@code root/etc/container_environment.json}
     */
    public static EnvPaths under(Path root) {
        Path etc = root.resolve("etc");
        return new EnvPaths(
                etc.resolve("container_environment"),
                etc.resolve("container_environment.sh"),
                etc.resolve("container_environment.json"));
    }
}
