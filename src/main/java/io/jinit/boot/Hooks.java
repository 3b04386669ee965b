package io.jinit.boot;

import io.jinit.bytes.RawPaths;
import io.jinit.process.KillableCommand.Run;
import io.jinit.process.Signal;
import io.jinit.process.AbortedException;
import io.jinit.process.CannotExecuteException;
import io.jinit.process.Command;
import io.jinit.process.Cutoff;
import io.jinit.process.WaitStatus;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Pre- and post-shutdown hooks ({@code /etc/my_init.pre_shutdown.d}, {@code .post_shutdown.d}):
 * every executable in byte-wise order. A failing hook is a warning and the shutdown goes on
 * (phusion's my_init exits 1 and skips the graceful stop); each hook may run for at most
 * {@code KILL_PROCESS_TIMEOUT}, then it is stopped (TERM, KILL), so a shutdown is always bounded.
 * A SIGTERM/SIGINT that the caller's {@link Cutoff} names stops the running hook the same way and
 * ends the hooks ({@link AbortedException}).
 */
final class Hooks {
    private Hooks() {}

    /**
     * @param cutoff which abort requests end the waits ({@link io.jinit.process.Abort#fromNow()} when the shutdown began)
     * @throws AbortedException on such a request; the running hook has been stopped, the rest do not run
     */
    static void run(InitRuntime rt, Map<String, String> env, Path dir, String kind, Cutoff cutoff)
            throws AbortedException, InterruptedException {
        List<Path> hooks;
        try {
            hooks = InitRuntime.executables(dir);
        } catch (java.io.IOException e) {
            rt.log().warn("hooks.unreadable", "Cannot list " + RawPaths.string(dir) + ": " + e.getMessage()
                    + "; no " + kind + " script runs. Going on with the shutdown.", "path", RawPaths.string(dir));
            return;
        }
        if (hooks.isEmpty()) return;
        rt.log().debug("hooks.start", "Running " + kind + " scripts...");
        for (Path hookPath : hooks) {
            String hook = RawPaths.string(hookPath);
            rt.log().info("hook.start", "Running " + hook + "...", "path", hook);
            switch (rt.commands().run(Command.of(List.of(hook), env), hook, rt.config().timeouts().killProcess(), cutoff,
                    Signal.TERM, () -> { })) {
                case Run.NotStarted(CannotExecuteException e) ->
                        rt.log().warn("hook.failed", hook + " failed: " + e.getMessage(), "path", hook);
                case Run.TimedOut(WaitStatus s) ->
                        rt.log().warn("hook.timeout", hook + " did not finish within KILL_PROCESS_TIMEOUT.", "path", hook);
                case Run.Finished(WaitStatus s) when !s.success() -> rt.log().warn("hook.failed", hook + " failed with "
                        + s.describe() + "; going on with the shutdown.", "path", hook, "status", s.exitStatus());
                case Run.Finished(WaitStatus s) -> { }
            }
        }
    }
}
