package io.jinit.boot;

import io.jinit.bytes.RawPaths;
import io.jinit.process.Signal;
import io.jinit.process.AbortedException;
import io.jinit.process.CannotExecuteException;
import io.jinit.process.ChildProcess;
import io.jinit.process.Command;
import io.jinit.process.Cutoff;
import io.jinit.process.InitProcess;
import io.jinit.process.KillableCommand.Run;
import io.jinit.process.ControllingTerminal;
import io.jinit.runit.RunitServices;
import io.jinit.runit.ServiceStop;
import io.jinit.runit.ServiceTree;
import io.jinit.process.WaitStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The init's phases as a state machine: each phase does its work and returns the next one;
 * {@link #run} is the whole flow, as one loop. Every transition:
 * <pre>
 *   Boot     → Env
 *   Env      → Startup | KillAll (SIGTERM/SIGINT: aborted, exit 2)
 *   Startup  → Runit   | KillAll (a startup script failed: exit 1; or aborted)
 *   Runit    → Main    | KillAll (runsvdir cannot start: exit 1; or aborted)
 *            | Shutdown (services not ready in time, or never, as they cannot be supervised: exit 1;
 *                        or aborted while waiting for them)
 *   Main     → Shutdown (the main command's status; 124 after --main-timeout; 126/127 when it
 *                        cannot start; runit-only mode: runsvdir's status; or aborted)
 *   Shutdown → KillAll  (nothing to stop without runsvdir)
 *   KillAll  → Exit     (the status; aborted if a SIGTERM/SIGINT came meanwhile)
 * </pre>
 * Aborted means exit status 2 and {@code *** Init system aborted.}. From Shutdown on, a
 * SIGTERM/SIGINT no longer skips a phase, it only cuts the current wait short (see
 * {@link Shutdown} and {@link KillAll}).
 *
 * <p>{@link #run} is the init's point of no return (catatonit's, s6-svscan's "from now on, we must
 * not die"): from the first phase on, anything a phase throws (a {@link RuntimeException}, an
 * {@link OutOfMemoryError}, a {@link StackOverflowError}, a thread that cannot be started) is one
 * log line ({@code *** Fault in phase P: TYPE: MESSAGE. Shutting down (exit status 1).}) and
 * then the same bounded shutdown as any other end, with exit status 1:
 * <pre>
 *   Boot, Env, Startup, Runit → KillAll          (Runit: once runsvdir runs → Shutdown)
 *   Main                      → Shutdown         (the main command is stopped first)
 *   Shutdown                  → KillAll
 *   KillAll                   → Exit             (KILL to every process it would signal)
 * </pre>
 * Before {@link #run}, a fatal problem is one line and an exit status (see {@code cli.MyInit}).
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
        while (!(phase instanceof Exit exit)) {
            try {
                InjectedFault.at(name(phase));
                phase = phase.next();
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable fault) {
                // the point of no return: whatever a phase throws becomes the orderly shutdown
                phase = afterFault(phase, fault);
            }
        }
        return exit.status();
    }

    /** The exit status of a run that a fault (an unexpected throwable) ended, see the class comment. */
    int FAULT_STATUS = 1;

    /** @return the phase's name as the log's {@code phase} field has it */
    private static String name(Phase phase) {
        return switch (phase) {
            case Boot p -> "boot";
            case Env p -> "env";
            case Startup p -> "startup";
            case Runit p -> "runit";
            case Main p -> "main";
            case Shutdown p -> "shutdown";
            case KillAll p -> "exit";
            case Exit p -> "end";
        };
    }

    /** @return where the run goes on after {@code failed} threw {@code fault} (one log line first) */
    private static Phase afterFault(Phase failed, Throwable fault) {
        String where = name(failed);
        Outcome faulted = Outcome.of(FAULT_STATUS);
        return switch (failed) {
            case Boot p -> new KillAll(faulted(p.rt(), where, fault), faulted);
            case Env p -> new KillAll(faulted(p.rt(), where, fault), faulted);
            case Startup p -> new KillAll(faulted(p.rt(), where, fault), faulted);
            case Runit p -> new KillAll(faulted(p.rt(), where, fault), faulted);
            case Main p -> new Shutdown(faulted(p.rt(), where, fault), p.env(), Runsvdir.of(p.runit()), faulted);
            case Shutdown p -> new KillAll(faulted(p.rt(), where, fault), faulted);
            case KillAll p -> p.lastResort(faulted(p.rt(), where, fault));
            case Exit p -> p;
        };
    }

    /**
     * Logs a fault as one line: the phase, the throwable's type and the first line of its message.
     * Never throws: a log that fails (the heap still full) leaves the line out.
     *
     * @return {@code rt}
     */
    static InitRuntime faulted(InitRuntime rt, String phase, Throwable fault) {
        try {
            String message = fault.getMessage() == null ? "" : ": " + fault.getMessage().lines().findFirst().orElse("");
            rt.log().error("fault", "Fault in phase " + phase + ": " + fault.getClass().getName() + message
                    + ". Shutting down (exit status " + FAULT_STATUS + ").", "error", fault.getClass().getName());
        } catch (Throwable ignored) {
            // nothing else may end the init: the shutdown goes on without the line
        }
        return rt;
    }

    /**
     * Start: subreaper mode when not PID 1.
     *
     * @param environment the init's own environment, bytes kept ({@link InitProcess#environment})
     */
    record Boot(InitRuntime rt, SequencedMap<String, String> environment) implements Phase {
        @Override
        public Phase next() {
            rt.log().phase("boot");
            Published.booting(rt);
            rt.reaper().reportErrorsTo(message -> rt.log().warn("reaper.error", message));
            if (rt.pid1()) {
                rt.log().debug("boot.pid1", "Running as PID 1.");
            } else {
                try {
                    InitProcess.becomeChildSubreaper();
                    rt.log().debug("boot.subreaper", "Not PID 1 (PID " + InitProcess.pid()
                            + "): running as a child subreaper; kill-all signals only our descendants.", "pid", InitProcess.pid());
                } catch (IOException e) {
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
                    rt.envStore().newFailure(e).ifPresent(line ->
                            rt.log().error("env.error", "Cannot export the container environment: " + line));
                } catch (OutOfMemoryError e) {
                    // too big for the init's heap: nothing was exported (every file is written whole or not at all)
                    rt.log().error("env.too_large", "Cannot import " + rt.config().paths().env().directory()
                            + ": it does not fit in the init's heap (" + e.getMessage() + "). Shutting down (exit status "
                            + FAULT_STATUS + ").", "error", e.getClass().getName());
                    return new KillAll(rt, Outcome.of(FAULT_STATUS));
                }
            } else {
                rt.log().debug("env.absent", "No " + rt.config().paths().env().directory() + ": no environment import or export.");
            }
            if (rt.abort().isRequestedByNow()) return new KillAll(rt, Outcome.abortedRun());
            return new Startup(rt, env);
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
                    List<Path> scripts;
                    List<Path> skipped;
                    try {
                        scripts = new java.util.ArrayList<>(InitRuntime.executables(rt.config().paths().startupDir()));
                        skipped = new java.util.ArrayList<>(InitRuntime.notExecutable(rt.config().paths().startupDir()));
                    } catch (IOException e) {
                        rt.log().error("startup.unreadable", "Cannot list " + rt.config().paths().startupDir() + ": "
                                + e.getMessage() + ". Shutting down (exit status 1).");
                        return new KillAll(rt, Outcome.of(1));
                    }
                    Path rcLocal = rt.config().paths().rcLocal();
                    if (Files.isRegularFile(rcLocal) && Files.isExecutable(rcLocal)) scripts.add(rcLocal);
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

        private boolean failed(Path script, Run result) {
            return switch (result) {
                case Run.Finished(WaitStatus status) when status.success() -> false;
                case Run.Finished(WaitStatus status) -> {
                    rt.log().error("script.failed", RawPaths.string(script) + " failed with " + status.describe() + "\n",
                            "path", RawPaths.string(script), "status", status.exitStatus());
                    yield true;
                }
                case Run.NotStarted(CannotExecuteException reason) -> {
                    rt.log().error("script.failed", RawPaths.string(script) + " failed: " + reason.getMessage() + "\n",
                            "path", RawPaths.string(script), "status", reason.exitStatus());
                    yield true;
                }
                case Run.TimedOut(WaitStatus status) -> throw new IllegalStateException("a script without a limit timed out");
            };
        }

        private SequencedMap<String, String> reimport(SequencedMap<String, String> current) {
            if (!rt.envStore().exists()) return current;
            try {
                SequencedMap<String, String> next = rt.envStore().reimport(current);
                rt.envStore().export(next, false);
                return next;
            } catch (IOException e) {
                rt.envStore().newFailure(e).ifPresent(line ->
                        rt.log().error("env.error", "Cannot re-import the container environment: " + line));
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
            if (rt.abort().isRequestedByNow()) return new KillAll(rt, Outcome.abortedRun());
            rt.log().info("runit.start", "Booting runit daemon...");
            ServiceTree.Layout layout = rt.config().paths().serviceTree().prepare();
            for (ServiceTree.Unsupervisable u : layout.unsupervisable()) {
                rt.log().error("runit.unsupervisable", "Service " + u.name() + " cannot be supervised: " + u.why(),
                        "service", u.name());
            }
            String runsvdir = Files.isExecutable(Path.of("/usr/bin/runsvdir")) ? "/usr/bin/runsvdir" : "runsvdir";
            ChildProcess runit;
            // runit-only mode: signals from now on go to runsvdir (Main hands them over)
            if (rt.config().mainCommand().isEmpty()) rt.signals().hold();
            try {
                runit = rt.commands().start(Command.of(
                        List.of(runsvdir, "-P", layout.directory().toString()), env));
            } catch (CannotExecuteException e) {
                rt.log().error("runit.failed", "Cannot start runit: " + e.getMessage()
                        + (e.exitStatus() == 127 ? " (install runit, or pass --skip-runit)" : ""));
                return new KillAll(rt, Outcome.of(1));
            }
            rt.log().info("runit.started", "Runit started as PID " + runit.pid(), "pid", runit.pid());
            try {
                InjectedFault.at("runit.running");
                if (rt.config().readiness().limit() != null) {
                    try {
                        if (!Readiness.awaitServices(rt, env, layout)) return new Shutdown(rt, env, new Runsvdir.Running(runit), Outcome.of(1));
                    } catch (AbortedException e) {
                        return new Shutdown(rt, env, new Runsvdir.Running(runit), Outcome.abortedRun());
                    }
                }
            } catch (RuntimeException | Error fault) {
                // past the point of no return with runsvdir running: its services are stopped in order
                return new Shutdown(faulted(rt, "runit", fault), env, new Runsvdir.Running(runit), Outcome.of(FAULT_STATUS));
            }
            return new Main(rt, env, runit);
        }
    }

    /**
     * runsvdir as the shutdown finds it: never started ({@code --skip-runit}), still running, or
     * already exited (runit-only mode, where its exit ends the main phase).
     */
    sealed interface Runsvdir {
        /** No runsvdir: {@code --skip-runit}. */
        record None() implements Runsvdir {}

        /** @param process runsvdir, still running: the shutdown stops it */
        record Running(ChildProcess process) implements Runsvdir {}

        /** @param process runsvdir, which has exited: only its services are left to stop */
        record Exited(ChildProcess process) implements Runsvdir {}

        /** @return {@link None} for null, else {@link Running} */
        static Runsvdir of(ChildProcess runit) {
            return runit == null ? new None() : new Running(runit);
        }
    }

    /**
     * Run the main command and wait for it; without one, wait for runsvdir. Signals to forward
     * that arrive while the main command starts are held and delivered to it; they are forwarded
     * while it runs, also while it is being stopped (after SIGTERM/SIGINT or {@code --main-timeout}),
     * and dropped once it has exited. A SIGTERM/SIGINT during that stop changes nothing in it
     * (no second stop signal, no early KILL): it only makes the run's outcome aborted (exit 2).
     *
     * @param runit runsvdir; null with {@code --skip-runit}
     */
    record Main(InitRuntime rt, SequencedMap<String, String> env, ChildProcess runit) implements Phase {
        /** How long the main command (or runsvdir) runs before the init pages out its boot's memory. */
        static final Duration SETTLED = Duration.ofSeconds(1);

        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("main");
            Published.running(rt, runit != null);
            List<String> argv = rt.config().mainCommand();
            if (argv.isEmpty()) return runitOnly();
            if (rt.abort().isRequestedByNow()) return shutdown(Outcome.abortedRun());
            rt.log().info("main.start", "Running " + String.join(" ", argv) + "...", "argv", argv);
            Command command = ControllingTerminal.inForeground() ? Command.of(argv, env).inForegroundOf(0)
                    : Command.of(argv, env).keepingTerminal();
            ChildProcess main;
            rt.signals().hold();
            try {
                main = rt.commands().start(command);
            } catch (CannotExecuteException e) {
                rt.signals().forwardTo(null);
                rt.log().error("main.not_started", e.getMessage(), "status", e.exitStatus(), "errno", e.errno());
                return shutdown(Outcome.of(e.exitStatus()));
            }
            long started = System.nanoTime();
            rt.log().debug("main.started", argv.getFirst() + " started as PID " + main.pid(), "pid", main.pid());
            Optional<WaitStatus> status = Optional.empty();
            boolean aborted = false;
            Throwable fault = null;
            try (var forwarding = rt.signals().forwardingTo(Forwarding.to(main, rt))) {
                try {
                    InjectedFault.at("main.running");
                    status = awaitReleasingMemory(main, rt.config().timeouts().main());
                } catch (AbortedException e) {
                    aborted = true;
                } catch (RuntimeException | Error e) {
                    fault = e;
                } finally {
                    // the terminal's foreground is the init's again before anything is stopped
                    if (command.foregroundTty() >= 0) ControllingTerminal.takeBack();
                }
                // a stop keeps forwarding (QUIT for a thread dump, CONT) until the main command has exited
                if (fault != null) {
                    // past the point of no return with the main command running: it is stopped first
                    faulted(rt, "main", fault);
                    stop(main);
                    return shutdown(Outcome.of(FAULT_STATUS));
                }
                if (aborted) {
                    stop(main);
                    return shutdown(Outcome.abortedRun());
                }
                if (status.isEmpty()) return timedOut(main);
            }
            return exited(main, status.get(), (System.nanoTime() - started) / 1_000_000);
        }

        /** {@code --main-timeout} passed: stop the main command, exit 124. */
        private Phase timedOut(ChildProcess main) throws InterruptedException {
            rt.log().warn("main.timeout", main.name() + " ran longer than --main-timeout ("
                    + rt.config().timeouts().main().toMillis() + " ms).", "pid", main.pid());
            stop(main);
            return shutdown(Outcome.of(124));
        }

        /** The main command exited: log how, wait for its descendants, map its status. */
        private Phase exited(ChildProcess main, WaitStatus s, long ranMs) throws InterruptedException {
            switch (s) {
                case WaitStatus.Exited(int code) -> rt.log().info("main.exited",
                        main.name() + " exited with status " + code + ".", "pid", main.pid(), "status", code,
                        "duration_ms", ranMs);
                case WaitStatus.Signaled(int signal, boolean core) -> rt.log().info("main.exited",
                        main.name() + " was killed by signal " + Signal.describe(signal) + ".",
                        "pid", main.pid(), "signal", signal, "status", s.exitStatus(), "duration_ms", ranMs);
            }
            try {
                Descendants.awaitAfterMain(rt, runit);
            } catch (AbortedException e) {
                return shutdown(Outcome.abortedRun());
            }
            int code = rt.config().successExitStatuses().contains(s.exitStatus()) ? 0 : s.exitStatus();
            return shutdown(Outcome.of(code));
        }

        /**
         * Waits for {@code child} (the main command, or runsvdir in runit-only mode) like
         * {@link io.jinit.process.KillableCommand#await(ChildProcess, Duration)}; once it has run
         * for {@link #SETTLED}, the boot is over and the init gives back the memory it no longer
         * needs ({@link InitProcess#releaseMemory}), so that it is not the OOM killer's first
         * choice in a memory-limited container. A run that ends sooner (e.g. {@code -- /bin/true})
         * does not pay for the page-out and the page-ins after it (~35 ms CPU). Never fails the run.
         *
         * @param limit the wait's limit; null for none
         * @return the child's status, or empty when the limit passed first
         */
        private Optional<WaitStatus> awaitReleasingMemory(ChildProcess child, Duration limit)
                throws AbortedException, InterruptedException {
            if (limit != null && limit.compareTo(SETTLED) <= 0) return rt.commands().await(child, limit);
            long t0 = System.nanoTime();
            Optional<WaitStatus> status = rt.commands().await(child, SETTLED);
            if (status.isPresent()) return status;
            // logged before, not after: what runs after the page-out reads its pages back in
            rt.log().debug("memory.release", "Paging out file mappings.");
            try {
                InitProcess.releaseMemory(rt.config().paths().proc());
            } catch (IOException | RuntimeException e) {
                rt.log().debug("memory.not_released", "Could not page out file mappings: " + e.getMessage());
            }
            if (limit == null) return rt.commands().await(child, null);
            Duration left = limit.minusNanos(System.nanoTime() - t0);
            return rt.commands().await(child, left.isNegative() ? Duration.ZERO : left);
        }

        private void stop(ChildProcess main) throws InterruptedException {
            rt.commands().stop(main, main.name(), rt.config().signals().stopSignal(), false);
        }

        private Shutdown shutdown(Outcome outcome) {
            return new Shutdown(rt, env, Runsvdir.of(runit), outcome);
        }

        /** Runit-only mode: signals go to runsvdir (held since the Runit phase), its exit ends the run. */
        private Phase runitOnly() throws InterruptedException {
            WaitStatus s;
            try (var forwarding = rt.signals().forwardingTo(Forwarding.toRunit(runit, rt))) {
                s = awaitReleasingMemory(runit, null).orElseThrow();
            } catch (AbortedException e) {
                return shutdown(Outcome.abortedRun());
            }
            rt.log().info("runit.exited", "Runit exited with status " + s.exitStatus(), "status", s.exitStatus());
            return new Shutdown(rt, env, new Runsvdir.Exited(runit), Outcome.of(s.exitStatus()));
        }
    }

    /**
     * Only when runit was started: pre-shutdown hooks, stop every service (down, KILL after
     * {@code KILL_PROCESS_TIMEOUT}), stop runsvdir, wait (bounded) until no service runs while
     * re-issuing the stop, post-shutdown hooks. A shutdown that an abort started is not cut short
     * by more signals; one that began otherwise gives way to SIGTERM/SIGINT: the running hook is
     * stopped, services still running are KILLed, runsvdir gets TERM, and the kill-all follows
     * with the aborted outcome (exit 2).
     *
     * @param runsvdir runsvdir as the main phase left it
     * @param outcome  the run's outcome so far (the exit status unless an abort changes it)
     */
    record Shutdown(InitRuntime rt, SequencedMap<String, String> env, Runsvdir runsvdir, Outcome outcome)
            implements Phase {
        /** Extra time, beyond {@code KILL_PROCESS_TIMEOUT}, that the final wait for services may take. */
        static final Duration SERVICES_MARGIN = Duration.ofSeconds(5);

        @Override
        public Phase next() throws InterruptedException {
            rt.log().phase("shutdown");
            Published.stopping(rt, !(runsvdir instanceof Runsvdir.None));
            Outcome now = settled(rt, outcome);
            ChildProcess runit = switch (runsvdir) {
                case Runsvdir.None none -> null;
                case Runsvdir.Running(ChildProcess p) -> p;
                case Runsvdir.Exited(ChildProcess p) -> p;
            };
            if (runit == null) return new KillAll(rt, now);
            Cutoff cutoff = now.aborted() ? Cutoff.NO_REQUEST : rt.abort().fromNow();
            RunitServices dir = new RunitServices(rt.config().paths().serviceTree().current());
            List<Path> services;
            try {
                services = dir.services();
            } catch (IOException e) {
                rt.log().warn("services.unreadable", "Cannot list the services in " + dir.directory() + ": " + e.getMessage()
                        + ". Stopping runsvdir; kill-all stops the rest.");
                services = List.of();
            }
            try {
                Hooks.run(rt, env, rt.config().paths().preShutdownDir(), "pre-shutdown", cutoff);
                Duration timeout = rt.config().timeouts().killProcess();
                rt.log().debug("services.stop", "Begin shutting down runit services...");
                ServiceStop.forceStop(services, timeout, rt.abort(), cutoff);
                if (runsvdir instanceof Runsvdir.Running) rt.commands().stop(runit, "runit daemon", Signal.TERM, false);
                rt.log().debug("services.wait", "Waiting for runit services to exit...");
                List<Path> left = ServiceStop.awaitDown(services, timeout.plus(SERVICES_MARGIN), rt.abort(), cutoff);
                if (!left.isEmpty()) {
                    rt.log().warn("services.timeout", "Not all runit services have stopped in time ("
                            + RunitServices.names(left) + "). Going on with the shutdown.", "services", RunitServices.names(left));
                }
                Hooks.run(rt, env, rt.config().paths().postShutdownDir(), "post-shutdown", cutoff);
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
        return !outcome.aborted() && rt.abort().isRequestedByNow() ? Outcome.abortedRun() : outcome;
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
            Published.stopping(rt, false);
            Outcome now = settled(rt, outcome);
            if (now.aborted()) rt.log().warn("aborted", "Init system aborted.");
            BootConfig.KillAll mode = rt.config().killAll();
            if (mode == BootConfig.KillAll.NEVER) return new Exit(now.status());
            boolean everyProcess = mode == BootConfig.KillAll.ALWAYS || rt.pid1();
            Cutoff cutoff = now.aborted() ? Cutoff.NO_REQUEST : rt.abort().fromNow();
            rt.log().info("killall.start", "Killing all processes...");
            signalAll(Signal.TERM, everyProcess);
            boolean allGone;
            try {
                allGone = rt.abort().await(rt.reaper().noChildrenLeft(), rt.config().timeouts().killAll(), POLL, cutoff);
            } catch (AbortedException e) {
                rt.log().warn("aborted", "Init system aborted.");
                now = Outcome.abortedRun();
                allGone = false;
            }
            if (!allGone) {
                rt.log().warn("killall.timeout", "Not all processes have exited in time. Forcing them to exit.");
                signalAll(Signal.KILL, everyProcess);
                rt.abort().awaitRegardless(rt.reaper().noChildrenLeft(), AFTER_KILL, POLL);
            }
            return new Exit(now.status());
        }

        /**
         * After a fault in this phase: KILL to every process kill-all would signal (none with
         * {@code --kill-all=never}), no wait, then the end with the fault's status.
         *
         * @return the end state
         */
        Exit lastResort(InitRuntime faulted) {
            try {
                BootConfig.KillAll mode = faulted.config().killAll();
                if (mode != BootConfig.KillAll.NEVER) signalAll(Signal.KILL, mode == BootConfig.KillAll.ALWAYS || faulted.pid1());
            } catch (Throwable ignored) {
                // the init exits now either way; as PID 1 the kernel KILLs what is left
            }
            return new Exit(FAULT_STATUS);
        }

        private void signalAll(Signal signal, boolean everyProcess) {
            if (everyProcess) {
                try {
                    InitProcess.signalEveryProcess(signal);
                } catch (IOException e) {
                    rt.log().warn("killall.error", "Cannot signal all processes: " + e.getMessage());
                }
                return;
            }
            try {
                // every descendant gets the signal: one that refuses it (EPERM: another user's) is logged, not a stop
                for (InitProcess.Refusal r : InitProcess.signalDescendants(rt.config().paths().proc(), signal)) {
                    rt.log().warn("killall.refused", "Cannot send " + signal.fullName() + " to PID " + r.pid() + ": "
                            + r.reason(), "pid", r.pid(), "signal", signal.number());
                }
            } catch (IOException e) {
                rt.log().warn("killall.error", "Cannot list our descendants: " + e.getMessage());
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
