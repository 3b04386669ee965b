package io.jinit.boot;

import io.jinit.process.SignalPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The resolved options of one run of the init, validated by the CLI.
 *
 * @param enableInsecureKey   {@code --enable-insecure-key}
 * @param skipStartupFiles    {@code --skip-startup-files}
 * @param skipRunit           {@code --skip-runit}
 * @param mainCommand         the main command after {@code --}; empty for runit-only mode
 * @param killAll             {@code --kill-all} ({@code --no-kill-all-on-exit} = NEVER)
 * @param successExitStatuses exit statuses of the main command mapped to 0 ({@code --success-exit-status})
 * @param paths               every path the init uses
 * @param signals             forwarding, rewriting and the stop signal
 * @param timeouts            how long each bounded wait may take
 * @param readiness           {@code --wait-for-services} and what a timeout means
 */
public record BootConfig(boolean enableInsecureKey, boolean skipStartupFiles, boolean skipRunit, List<String> mainCommand,
                         KillAll killAll, Set<Integer> successExitStatuses, InitPaths paths, SignalPolicy signals,
                         Timeouts timeouts, ReadinessPolicy readiness) {

    /** When kill-all runs at exit. */
    public enum KillAll {
        /** Every process when the init is PID 1, else only its own descendants (the default). */
        AUTO,
        /** Every process the init may signal ({@code kill(-1)}), even when it is not PID 1. */
        ALWAYS,
        /** Never ({@code --no-kill-all-on-exit}). */
        NEVER
    }

    /**
     * How long the init's bounded waits may take.
     *
     * @param killProcess {@code KILL_PROCESS_TIMEOUT}: how long a stopped process may take before KILL
     * @param killAll     {@code KILL_ALL_PROCESSES_TIMEOUT}: how long kill-all waits before KILL
     * @param main        {@code --main-timeout}: stop the main command after this long, exit 124; null: no limit
     * @param descendants {@code --wait-for-descendants}: how long to wait for the main command's
     *                    descendants after it exits; null: no wait
     */
    public record Timeouts(Duration killProcess, Duration killAll, Duration main, Duration descendants) {}

    /**
     * {@code --wait-for-services} and {@code --services-not-ready}.
     *
     * @param limit how long to wait for services to be ready before the main command; null: no wait
     * @param fatal true: exit 1 when services are not ready in time; false: warn and go on
     */
    public record ReadinessPolicy(Duration limit, boolean fatal) {}

    /** Copies the collections. */
    public BootConfig {
        mainCommand = List.copyOf(mainCommand);
        successExitStatuses = Set.copyOf(successExitStatuses);
    }
}
