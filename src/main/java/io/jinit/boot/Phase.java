package io.jinit.boot;

import io.jinit.boot.InitRuntime.ScriptResult;
import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;
import io.jinit.posix.RawPaths;
import io.jinit.posix.RawStrings;
import io.jinit.posix.Signal;
import io.jinit.process.AbortedException;
import io.jinit.process.CannotExecuteException;
import io.jinit.process.ChildProcess;
import io.jinit.process.Command;
import io.jinit.process.ProcessTable;
import io.jinit.process.WaitStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The init's phases as a state machine: each phase does its work and returns the next one.
 * <pre>
 *   Boot → Env → Startup → Runit → Main → Shutdown → KillAll → Exit
 * </pre>
 * A failing startup script goes straight to KillAll (status 1); SIGTERM/SIGINT before the
 * shutdown goes to Shutdown (when runit runs) or KillAll, with the aborted outcome (status 2).
 * {@link #run} is the whole flow.
 */
public sealed interface Phase {

    /**
     * Does this phase's work.
     *
     * @return the next phase
     * @throws InterruptedException if the init's main thread is interrupted
     */
    Phase next() throws InterruptedException;

    /**
     * Runs the machine from {@code first} to its end.
     *
     * @return the init's exit status
     */
    static int run(Phase first) throws InterruptedException {
        Phase phase = first;
        while (!(phase instanceof Exit exit)) phase = phase.next();
        return exit.status();
    }

    /**
     * Start: subreaper mode when not PID 1.
     *
     * @param environment the init's own environment, bytes kept ({@link Env#processEnvironment})
     */
    record Boot(InitRuntime rt, SequencedMap<String, String> environment) implements Phase {
        @Override
        public Phase next() {
            rt.log().phase("boot");
            rt.reaper().reportErrorsTo(message -> rt.log().warn("reaper.error", message));
            if (rt.pid1()) {
                rt.log().debug("boot.pid1", "Running as PID 1.");
            } else {
                try {
                    Libc.setChildSubreaper();
                    rt.log().debug("boot.subreaper", "Not PID 1 (PID " + Libc.getpid()
                            + "): running as a child subreaper; kill-all signals only our descendants.", "pid", Libc.getpid());
                } catch (PosixException e) {
                    rt.log().warn("boot.subreaper", "Cannot become a child subreaper: " + e.getMessage());
                }
            }
            return new Env(rt, environment);
        }
    }

    /**
     * Import {@code /etc/container_environment} (filling in only what is not set) and export it.
     *
     * @param environment the init's own environment
     */
    record Env(InitRuntime rt, SequencedMap<String, String> environment) implements Phase {
        @Override
        public Phase next() {
            rt.log().phase("env");
            SequencedMap<String, String> env = environment;
            if (rt.envStore().exists()) {
                try {
                    env = rt.envStore().importInitial(env);
                    rt.envStore().export(env, true);
                } catch (IOException e) {
                    rt.log().error("env.error", "Cannot export the container environment: " + e.getMessage());
                }
            } else {
                rt.log().debug("env.absent", "No " + rt.config().paths().env().directory() + ": no environment import or export.");
            }
            if (rt.abort().isRequested()) return new KillAll(rt, Outcome.abortedRun());
            return new Startup(rt, env);
        }

        /** @return this process's environment, from libc's {@code environ}, bytes kept ({@link RawStrings}) */
        public static SequencedMap<String, String> processEnvironment() {
            SequencedMap<String, String> env = new LinkedHashMap<>();
            for (byte[] entry : Libc.environ()) {
                String s = RawStrings.decode(entry);
                int eq = s.indexOf('=');
                if (eq > 0) env.putIfAbsent(s.substring(0, eq), s.substring(eq + 1));
            }
            return env;
        }
    }

    /** {@code --enable-insecure-key}, then the startup scripts and rc.local, re-importing the environment after each. */
    record Startup(InitRuntime rt, SequencedMap<String, String> env) implements Phase {
        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("startup");
            SequencedMap<String, String> current = env;
            try {
                if (rt.config().enableInsecureKey()) {
                    rt.log().info("insecure_key", "Installing insecure SSH key for user root");
                    Path key = rt.config().paths().insecureKeyCommand();
                    if (failed(key, rt.runScript(key, current))) return new KillAll(rt, Outcome.of(1));
                }
                if (!rt.config().skipStartupFiles()) {
                    List<Path> scripts = new java.util.ArrayList<>(InitRuntime.executables(rt.config().paths().startupDir()));
                    Path rcLocal = rt.config().paths().rcLocal();
                    if (Files.isRegularFile(rcLocal) && Files.isExecutable(rcLocal)) scripts.add(rcLocal);
                    List<Path> skipped = new java.util.ArrayList<>(InitRuntime.notExecutable(rt.config().paths().startupDir()));
                    if (Files.isRegularFile(rcLocal) && !Files.isExecutable(rcLocal)) skipped.add(rcLocal);
                    for (Path s : skipped) {
                        String name = RawPaths.string(s);
                        rt.log().debug("script.skipped", "Skipping " + name + ": not executable (chmod +x it to run it).",
                                "path", name);
                    }
                    for (Path script : scripts) {
                        String name = RawPaths.string(script);
                        rt.log().info("script.start", "Running " + name + "...", "path", name);
                        if (failed(script, rt.runScript(script, current))) return new KillAll(rt, Outcome.of(1));
                        current = reimport(current);
                    }
                }
            } catch (AbortedException e) {
                return new KillAll(rt, Outcome.abortedRun());
            }
            return new Runit(rt, current);
        }

        private boolean failed(Path script, ScriptResult result) {
            return switch (result) {
                case ScriptResult.Finished(WaitStatus status) when status.success() -> false;
                case ScriptResult.Finished(WaitStatus status) -> {
                    rt.log().error("script.failed", RawPaths.string(script) + " failed with " + status.describe() + "\n",
                            "path", RawPaths.string(script), "status", status.exitStatus());
                    yield true;
                }
                case ScriptResult.NotStarted(CannotExecuteException reason) -> {
                    rt.log().error("script.failed", RawPaths.string(script) + " failed: " + reason.getMessage() + "\n",
                            "path", RawPaths.string(script), "status", reason.exitStatus());
                    yield true;
                }
            };
        }

        private SequencedMap<String, String> reimport(SequencedMap<String, String> current) {
            if (!rt.envStore().exists()) return current;
            try {
                SequencedMap<String, String> next = rt.envStore().reimport(current);
                rt.envStore().export(next, false);
                return next;
            } catch (IOException e) {
                rt.log().error("env.error", "Cannot re-import the container environment: " + e.getMessage());
                return current;
            }
        }
    }

    /** Start {@code runsvdir -P /etc/service}, unless {@code --skip-runit}. */
    record Runit(InitRuntime rt, SequencedMap<String, String> env) implements Phase {
        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("runit");
            if (rt.config().skipRunit()) return new Main(rt, env, null);
            if (rt.abort().isRequested()) return new KillAll(rt, Outcome.abortedRun());
            rt.log().info("runit.start", "Booting runit daemon...");
            String runsvdir = Files.isExecutable(Path.of("/usr/bin/runsvdir")) ? "/usr/bin/runsvdir" : "runsvdir";
            ChildProcess runit;
            // runit-only mode: signals from now on go to runsvdir (Main hands them over)
            if (rt.config().mainCommand().isEmpty()) rt.signals().hold();
            try {
                runit = rt.commands().start(Command.of(
                        List.of(runsvdir, "-P", rt.config().paths().serviceDir().toString()), env));
            } catch (CannotExecuteException e) {
                rt.log().error("runit.failed", "Cannot start runit: " + e.getMessage()
                        + " (install runit, or pass --skip-runit)");
                return new KillAll(rt, Outcome.of(1));
            }
            rt.log().info("runit.started", "Runit started as PID " + runit.pid(), "pid", runit.pid());
            if (rt.config().waitForServices() != null) {
                try {
                    if (!Readiness.awaitServices(rt, env)) return new Shutdown(rt, env, runit, Outcome.of(1), false);
                } catch (AbortedException e) {
                    return new Shutdown(rt, env, runit, Outcome.abortedRun(), false);
                }
            }
            return new Main(rt, env, runit);
        }
    }

    /** Run the main command and wait for it; without one, wait for runsvdir. */
    record Main(InitRuntime rt, SequencedMap<String, String> env, ChildProcess runit) implements Phase {
        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("main");
            List<String> argv = rt.config().mainCommand();
            if (argv.isEmpty()) return runitOnly();
            if (rt.abort().isRequested()) return new Shutdown(rt, env, runit, Outcome.abortedRun(), false);
            rt.log().info("main.start", "Running " + String.join(" ", argv) + "...", "argv", argv);
            Command command = Terminal.inForeground() ? Command.of(argv, env).inForegroundOf(0)
                    : Command.of(argv, env).keepingTerminal();
            ChildProcess main;
            rt.signals().hold();
            try {
                main = rt.commands().start(command);
            } catch (CannotExecuteException e) {
                rt.signals().forwardTo(null);
                rt.log().error("main.not_started", e.getMessage(), "status", e.exitStatus(), "errno", e.errno());
                return new Shutdown(rt, env, runit, Outcome.of(e.exitStatus()), false);
            }
            long started = System.nanoTime();
            rt.signals().forwardTo(Forwarding.to(main, rt));
            rt.log().debug("main.started", argv.getFirst() + " started as PID " + main.pid(), "pid", main.pid());
            try {
                Optional<WaitStatus> status;
                try {
                    status = rt.commands().await(main, rt.config().mainTimeout());
                } finally {
                    if (command.foregroundTty() >= 0) Terminal.takeBack();
                }
                if (status.isEmpty()) {
                    rt.log().warn("main.timeout", argv.getFirst() + " ran longer than --main-timeout ("
                            + rt.config().mainTimeout().toMillis() + " ms).", "pid", main.pid());
                    rt.signals().forwardTo(null);
                    rt.commands().stop(main, argv.getFirst(), rt.config().stopSignal(), false);
                    return new Shutdown(rt, env, runit, Outcome.of(124), false);
                }
                rt.signals().forwardTo(null);
                WaitStatus s = status.get();
                long ran = (System.nanoTime() - started) / 1_000_000;
                switch (s) {
                    case WaitStatus.Exited(int code) -> rt.log().info("main.exited",
                            argv.getFirst() + " exited with status " + code + ".", "pid", main.pid(), "status", code,
                            "duration_ms", ran);
                    case WaitStatus.Signaled(int signal, boolean core) -> rt.log().info("main.exited",
                            argv.getFirst() + " was killed by signal " + Signal.describe(signal) + ".",
                            "pid", main.pid(), "signal", signal, "status", s.exitStatus(), "duration_ms", ran);
                }
                Descendants.awaitAfterMain(rt, runit);
                int code = rt.config().successExitStatuses().contains(s.exitStatus()) ? 0 : s.exitStatus();
                return new Shutdown(rt, env, runit, Outcome.of(code), false);
            } catch (AbortedException e) {
                rt.signals().forwardTo(null);
                rt.commands().stop(main, argv.getFirst(), rt.config().stopSignal(), false);
                return new Shutdown(rt, env, runit, Outcome.abortedRun(), false);
            }
        }

        private Phase runitOnly() throws InterruptedException {
            rt.signals().forwardTo(Forwarding.toRunit(runit, rt));
            try {
                WaitStatus s = rt.commands().await(runit);
                rt.signals().forwardTo(null);
                rt.log().info("runit.exited", "Runit exited with status " + s.exitStatus(), "status", s.exitStatus());
                return new Shutdown(rt, env, runit, Outcome.of(s.exitStatus()), true);
            } catch (AbortedException e) {
                rt.signals().forwardTo(null);
                return new Shutdown(rt, env, runit, Outcome.abortedRun(), false);
            }
        }
    }

    /**
     * Only when runit was started: pre-shutdown hooks, stop every service (down, KILL after
     * {@code KILL_PROCESS_TIMEOUT}), stop runsvdir, wait (bounded) until no service runs while
     * re-issuing the stop, post-shutdown hooks. A shutdown that an abort started is not cut short
     * by more signals; one that began otherwise gives way to SIGTERM/SIGINT: the running hook is
     * stopped, services still running are KILLed, runsvdir gets TERM, and the kill-all follows
     * with the aborted outcome (exit 2).
     */
    record Shutdown(InitRuntime rt, SequencedMap<String, String> env, ChildProcess runit, Outcome outcome,
                    boolean runitExited) implements Phase {
        /** Extra time, beyond {@code KILL_PROCESS_TIMEOUT}, that the final wait for services may take. */
        static final Duration SERVICES_MARGIN = Duration.ofSeconds(5);

        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("shutdown");
            Outcome now = settled(rt, outcome);
            if (runit == null) return new KillAll(rt, now);
            int after = now.aborted() ? Integer.MAX_VALUE : rt.abort().requests();
            RunitServices dir = new RunitServices(rt.config().paths().serviceDir());
            List<Path> services = dir.services();
            try {
                Hooks.run(rt, env, rt.config().paths().preShutdownDir(), "pre-shutdown", after);
                Duration timeout = rt.config().killProcessTimeout();
                rt.log().debug("services.stop", "Begin shutting down runit services...");
                ServiceStop.forceStop(services, timeout, rt.abort(), after);
                if (!runitExited) rt.commands().stop(runit, "runit daemon", Signal.TERM, false);
                rt.log().debug("services.wait", "Waiting for runit services to exit...");
                List<Path> left = ServiceStop.awaitDown(services, timeout.plus(SERVICES_MARGIN), rt.abort(), after);
                if (!left.isEmpty()) {
                    rt.log().warn("services.timeout", "Not all runit services have stopped in time ("
                            + RunitServices.names(left) + "). Going on with the shutdown.", "services", RunitServices.names(left));
                }
                Hooks.run(rt, env, rt.config().paths().postShutdownDir(), "post-shutdown", after);
                return new KillAll(rt, now);
            } catch (AbortedException e) {
                RunitServices.stillRunning(services).forEach(RunitServices::kill);
                runit.signal(Signal.TERM, false);
                return new KillAll(rt, Outcome.abortedRun());
            }
        }
    }

    /**
     * The outcome once a SIGTERM/SIGINT that came after the last wait is counted: aborted (exit 2).
     *
     * @return {@code outcome}, or the aborted outcome when an abort has been requested
     */
    private static Outcome settled(InitRuntime rt, Outcome outcome) {
        return !outcome.aborted() && rt.abort().isRequested() ? Outcome.abortedRun() : outcome;
    }

    /**
     * Unless {@code --no-kill-all-on-exit}: TERM to every process (PID 1) or to our descendants
     * (not PID 1), wait up to {@code KILL_ALL_PROCESSES_TIMEOUT} for all to be reaped, then KILL.
     * The wait gives way to a SIGTERM/SIGINT when the run was not aborted yet: KILL at once, exit 2.
     */
    record KillAll(InitRuntime rt, Outcome outcome) implements Phase {
        /** How long the init waits for the reaper after the final KILL. */
        static final Duration AFTER_KILL = Duration.ofSeconds(5);
        /** The longest time between two looks at whether any child is left. */
        static final Duration POLL = Duration.ofMillis(20);

        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("exit");
            Outcome now = settled(rt, outcome);
            if (now.aborted()) rt.log().warn("aborted", "Init system aborted.");
            BootConfig.KillAll mode = rt.config().killAll();
            if (mode == BootConfig.KillAll.NEVER) return new Exit(now.status());
            boolean everyProcess = mode == BootConfig.KillAll.ALWAYS || rt.pid1();
            int after = now.aborted() ? Integer.MAX_VALUE : rt.abort().requests();
            rt.log().info("killall.start", "Killing all processes...");
            signalAll(Signal.TERM, everyProcess);
            boolean allGone;
            try {
                allGone = rt.abort().await(rt.reaper().noChildrenLeft(), rt.config().killAllTimeout(), POLL, after);
            } catch (AbortedException e) {
                rt.log().warn("aborted", "Init system aborted.");
                now = Outcome.abortedRun();
                allGone = false;
            }
            if (!allGone) {
                rt.log().warn("killall.timeout", "Not all processes have exited in time. Forcing them to exit.");
                signalAll(Signal.KILL, everyProcess);
                try {
                    rt.abort().await(rt.reaper().noChildrenLeft(), AFTER_KILL, POLL, Integer.MAX_VALUE);
                } catch (AbortedException impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
            return new Exit(now.status());
        }

        private void signalAll(Signal signal, boolean everyProcess) {
            if (everyProcess) {
                try {
                    Libc.kill(-1, signal.number());
                } catch (PosixException e) {
                    rt.log().warn("killall.error", "Cannot signal all processes: " + e.getMessage());
                }
                return;
            }
            List<Integer> descendants;
            try {
                descendants = ProcessTable.read(rt.config().paths().proc()).descendantsOf(Libc.getpid());
            } catch (IOException e) {
                rt.log().warn("killall.error", "Cannot list our descendants: " + e.getMessage());
                return;
            }
            // every descendant gets the signal: one that refuses it (EPERM: another user's) is logged, not a stop
            for (int pid : descendants) {
                try {
                    Libc.kill(pid, signal.number());
                } catch (PosixException e) {
                    rt.log().warn("killall.refused", "Cannot send " + signal.fullName() + " to PID " + pid + ": "
                            + e.getMessage(), "pid", pid, "signal", signal.number());
                }
            }
        }
    }

    /**
     * The end state.
     *
     * @param status the init's exit status
     */
    record Exit(int status) implements Phase {
        @Override
        public Phase next() {
            return this;
        }
    }
}
