package io.jinit.cli;

import io.jinit.boot.BootConfig;
import io.jinit.boot.InitRuntime;
import io.jinit.boot.InjectedFault;
import io.jinit.boot.Phase;
import io.jinit.env.ContainerEnvironment;
import io.jinit.log.EventLog;
import io.jinit.posix.Libc;
import io.jinit.process.Abort;
import io.jinit.process.ChildProcess;
import io.jinit.process.InitProcess;
import io.jinit.process.KillableCommand;
import io.jinit.process.Reaper;
import io.jinit.process.SignalRouter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code my_init}'s entry point, the edge of the program: takes the signals first (the
 * signalfd), takes the launcher's part off the arguments and gives the environment back what the
 * launcher kept from the JVM, parses the options ({@link OptionTable}, {@link OptionValues}: one
 * line and exit 2 for bad input, nothing started), builds the runtime and runs the {@link Phase}
 * machine, then exits with its status. Anything thrown before the first phase (a thread that
 * cannot be started, the heap) is one line and exit 1, nothing started; from the first phase on,
 * {@link Phase#run} turns it into the orderly shutdown (the point of no return).
 */
public final class MyInit {
    private MyInit() {}

    /** System property set by the build's AOT training run: exit through the JVM, which writes the cache. */
    static final String AOT_TRAINING_PROPERTY = "jinit.aot.training";

    /** Exit status for a command line or environment that cannot be used (nothing was started). */
    static final int USAGE_ERROR = 2;

    /**
     * The init's entry point; exits the JVM with the init's exit status.
     *
     * @param args the command line (re-read losslessly from {@code /proc/self/cmdline})
     */
    public static void main(String[] args) {
        int status;
        try {
            status = start(args);
        } catch (Throwable fault) {
            // before the point of no return (Phase.run, which catches everything): nothing was
            // started, so one line and exit 1
            status = FATAL;
            try {
                String message = fault.getMessage() == null ? "" : ": " + fault.getMessage().lines().findFirst().orElse("");
                System.err.println("*** my_init: cannot start: " + fault.getClass().getName() + message);
            } catch (Throwable ignored) {
                // the exit status says it
            }
        }
        System.out.flush();
        System.err.flush();
        // _exit, not System.exit: HotSpot's exit would wait ~300 ms for the signalfd reader,
        // which is always blocked in read(2) (and the reaper, when it waits for a child). The
        // build's AOT training run (make-image.sh) needs the JVM's exit, which writes the cache.
        if (Boolean.getBoolean(AOT_TRAINING_PROPERTY)) System.exit(status);
        Libc.exitNow(status);
    }

    /** Exit status when the init cannot start (before any phase ran) or cannot receive signals. */
    static final int FATAL = 1;

    /** Everything up to the init's exit: signals, arguments, options, runtime, phases. @return the exit status */
    private static int start(String[] args) {
        Abort abort = new Abort();
        AtomicReference<EventLog> logRef = new AtomicReference<>();
        SignalRouter router = new SignalRouter(abort, s -> {
            EventLog log = logRef.get();
            if (log != null) log.debug("signal.received", "Received " + s.fullName() + ".", "signal", s.number());
        });
        // Signals first. The launcher started this JVM with them blocked (and -Xrs): whatever
        // arrived since the container's exec is pending, and the signalfd reads it now.
        String problem = SignalMode.adopt(router);
        if (problem != null) {
            // started without the launcher (java -m io.jinit/...): once more, the launcher's way
            if (!SignalMode.reexecuted()) problem = SignalMode.reexec() + " (" + problem + ")";
            System.err.println("*** my_init: cannot receive signals: " + problem);
            return FATAL;
        }
        LauncherArguments launcher = LauncherArguments.parse(RawArguments.of(args));
        // The environment is read once, for the options and the Env phase, and given back what
        // the launcher took from it (the container's JVM variables).
        SequencedMap<String, String> env = InitProcess.environment();
        launcher.restore(env);
        SignalMode.restore(env);
        String[] raw = launcher.args().toArray(String[]::new);
        try {
            return run(raw, env, abort, router, logRef);
        } catch (InterruptedException e) {
            return FATAL;
        }
    }

    private static int run(String[] args, SequencedMap<String, String> env, Abort abort, SignalRouter router,
                           AtomicReference<EventLog> logRef) throws InterruptedException {
        CommandSpec spec = OptionTable.commandSpec(OptionTable.versionLines());
        CommandLine cl = OptionTable.commandLine(spec);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(OptionTable.ERROR_PREFIX + e.getMessage().lines().findFirst().orElse("bad arguments")
                    + " (the main command goes after --, e.g. my_init -- sh -c 'exit 0'; see my_init --help)");
            return USAGE_ERROR;
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(System.out);
            return 0;
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(System.out);
            return 0;
        }
        OptionValues options = new OptionValues(spec, env);
        BootConfig config;
        EventLog log;
        try {
            log = EventLog.toStderr(options.level(), options.get(OptionTable.LOG_FORMAT_OPTION));
            config = options.config();
        } catch (IllegalArgumentException e) {
            System.err.println(OptionTable.ERROR_PREFIX + e.getMessage());
            return USAGE_ERROR;
        }
        logRef.set(log);
        InjectedFault.at("start");
        if (config.skipRunit() && config.mainCommand().isEmpty()) {
            log.error("usage", "When --skip-runit is given, you must also pass a main command.");
            return 1;
        }
        // The reaper lives until the JVM exits: it is never closed, so exit never waits for it.
        Reaper reaper = Reaper.start();
        KillableCommand commands = new KillableCommand(reaper, abort, config.timeouts().killProcess(),
                new KillableCommand.StopObserver() {
                    @Override
                    public void stopping(String name, ChildProcess child) {
                        log.info("stop", "Shutting down " + name + " (PID " + child.pid() + ")...", "pid", child.pid());
                    }

                    @Override
                    public void forcing(String name, ChildProcess child) {
                        log.warn("stop.forced", name + " (PID " + child.pid()
                                + ") did not shut down in time. Forcing it to exit.", "pid", child.pid());
                    }
                });
        ContainerEnvironment envStore = new ContainerEnvironment(config.paths().env(),
                warning -> log.warn("env.warning", warning));
        InitRuntime rt = new InitRuntime(config, log, reaper, commands, envStore, router, abort, InitProcess.pid() == 1);
        return Phase.run(new Phase.Boot(rt, env));
    }
}
