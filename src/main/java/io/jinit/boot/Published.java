package io.jinit.boot;

import io.jinit.runit.HealthState;

/**
 * The phase the init publishes for {@code my_init-health} ({@link HealthState}, {@code
 * /run/jinit/state}): booting at the start, running when the main command starts, stopping when
 * the shutdown begins. A file that cannot be written (no writable {@code /run}) is a debug line,
 * not a warning: only the probe needs it, and the probe says what is missing.
 */
final class Published {
    private Published() {}

    /** Boot: {@code phase=booting}, no services yet. */
    static void booting(InitRuntime rt) {
        publish(rt, HealthState.Phase.BOOTING, false);
    }

    /** Main: {@code phase=running}, with the directory runsvdir runs on when it runs. */
    static void running(InitRuntime rt, boolean runit) {
        publish(rt, HealthState.Phase.RUNNING, runit);
    }

    /** Shutdown and kill-all: {@code phase=stopping}. */
    static void stopping(InitRuntime rt, boolean runit) {
        publish(rt, HealthState.Phase.STOPPING, runit);
    }

    private static void publish(InitRuntime rt, HealthState.Phase phase, boolean runit) {
        InitPaths paths = rt.config().paths();
        paths.healthState().publish(phase, runit ? paths.serviceTree().current() : null).ifPresent(line ->
                rt.log().debug("state.unwritable", "Cannot publish the init's state for my_init-health: " + line
                        + " (give the container a writable /run: a tmpfs or an emptyDir)."));
    }
}
