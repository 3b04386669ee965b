package io.jinit.boot;

import io.jinit.env.EnvPaths;
import io.jinit.runit.HealthState;
import io.jinit.runit.ServiceTree;

import java.nio.file.Path;

/**
 * Every file and directory the init reads, all taken under one root ({@code /} in a container,
 * a temporary directory in tests; option {@code --root}, env {@code MY_INIT_ROOT}).
 *
 * @param env                 {@code /etc/container_environment}, {@code .sh} and {@code .json}
 * @param startupDir          {@code /etc/my_init.d}, or {@code ENV_INIT_DIRECTORY} (absolute, not under the root)
 * @param rcLocal             {@code /etc/rc.local}
 * @param serviceDir          {@code /etc/service}: runsvdir's directory
 * @param preShutdownDir      {@code /etc/my_init.pre_shutdown.d}
 * @param postShutdownDir     {@code /etc/my_init.post_shutdown.d}
 * @param insecureKeyCommand  {@code /usr/sbin/enable_insecure_key}
 * @param proc                {@code /proc} (never under the root: the real procfs)
 * @param runDir              {@code /run/jinit}: the state file for {@code my_init-health} and, when
 *                            runsv cannot write {@code /etc/service}, the copy of the service tree
 */
public record InitPaths(EnvPaths env, Path startupDir, Path rcLocal, Path serviceDir, Path preShutdownDir,
                        Path postShutdownDir, Path insecureKeyCommand, Path proc, Path runDir) {

    /** @return {@link #serviceDir} and its copy under {@code /run/jinit/service} */
    public ServiceTree serviceTree() {
        return new ServiceTree(serviceDir, runDir.resolve("service"));
    }

    /** @return {@code /run/jinit/state}, read by {@code my_init-health} */
    public HealthState healthState() {
        return new HealthState(runDir.resolve("state"));
    }

    /**
     * @param root             the root directory, {@code /} normally
     * @param envInitDirectory the value of {@code ENV_INIT_DIRECTORY}, or null for {@code <root>/etc/my_init.d}
     * @return the paths
     */
    public static InitPaths under(Path root, String envInitDirectory) {
        Path etc = root.resolve("etc");
        return new InitPaths(
                EnvPaths.under(root),
                envInitDirectory != null ? Path.of(envInitDirectory) : etc.resolve("my_init.d"),
                etc.resolve("rc.local"),
                etc.resolve("service"),
                etc.resolve("my_init.pre_shutdown.d"),
                etc.resolve("my_init.post_shutdown.d"),
                root.resolve("usr/sbin/enable_insecure_key"),
                Path.of("/proc"),
                root.resolve("run/jinit"));
    }
}
