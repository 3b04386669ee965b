package io.jinit.boot;

import io.jinit.process.Signal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resolved options of one run of the init, validated by the CLI.
 *
 * @param enableInsecureKey    {@code --enable-insecure-key}
 * @param skipStartupFiles     {@code --skip-startup-files}
 * @param skipRunit            {@code --skip-runit}
 * @param killAll              {@code --kill-all} ({@code --no-kill-all-on-exit} = NEVER)
 * @param mainCommand          the main command after {@code --}; empty for runit-only mode
 * @param paths                every path the init uses
 * @param killProcessTimeout   {@code KILL_PROCESS_TIMEOUT}: how long a stopped process may take before KILL
 * @param killAllTimeout       {@code KILL_ALL_PROCESSES_TIMEOUT}: how long kill-all waits before KILL
 * @param forward              where forwarded signals go
 * @param rewrite              signal rewriting for forwarded signals ({@code --rewrite FROM:TO})
 * @param droppedSignals       forwarded signals dropped instead ({@code --rewrite FROM:0})
 * @param stopSignal           what the main command gets on shutdown ({@code --stop-signal}, TERM)
 * @param waitForServices      how long to wait for services to be ready before the main command; null: no wait
 * @param servicesNotReadyIsFatal true: exit 1 when services are not ready in time; false: warn and go on
 * @param waitForDescendants   how long to wait for the main command's descendants after it exits; null: no wait
 * @param mainTimeout          stop the main command after this long, exit 124; null: no limit
 * @param successExitStatuses  exit statuses of the main command mapped to 0 ({@code --success-exit-status})
 */
public record BootConfig(boolean enableInsecureKey, boolean skipStartupFiles, boolean skipRunit, KillAll killAll,
                         List<String> mainCommand, InitPaths paths, Duration killProcessTimeout,
                         Duration killAllTimeout, Forward forward, Map<Signal, Signal> rewrite, Set<Signal> droppedSignals, Signal stopSignal,
                         Duration waitForServices, boolean servicesNotReadyIsFatal, Duration waitForDescendants,
                         Duration mainTimeout, Set<Integer> successExitStatuses) {

    /** When kill-all runs at exit. */
    public enum KillAll {
        /** Every process when the init is PID 1, else only its own descendants (the default). */
        AUTO,
        /** Every process the init may signal ({@code kill(-1)}), even when it is not PID 1. */
        ALWAYS,
        /** Never ({@code --no-kill-all-on-exit}). */
        NEVER
    }

    /** Where forwarded signals go. */
    public enum Forward {
        /** To the main command's process group (the default). */
        GROUP,
        /** To the main command's process alone. */
        PROCESS,
        /** Nowhere: signals are received and dropped, as phusion's my_init does. */
        NONE
    }

    /** Copies the collections. */
    public BootConfig {
        mainCommand = List.copyOf(mainCommand);
        rewrite = Map.copyOf(rewrite);
        droppedSignals = Set.copyOf(droppedSignals);
        successExitStatuses = Set.copyOf(successExitStatuses);
    }
}
