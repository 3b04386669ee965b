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
import io.jinit.process.Signal;
import io.jinit.process.SignalPolicy;
import io.jinit.process.SignalRouter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import io.jinit.bytes.RawStrings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.stream.Stream;
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
        // _exit, not System.exit: HotSpot's exit runs shutdown hooks and waits for threads to
        // reach a safepoint, none of which an init that has reaped its last child needs. The
        // build's AOT training run (make-image.sh) needs the JVM's exit, which writes the cache.
        if (Boolean.getBoolean(AOT_TRAINING_PROPERTY)) System.exit(status);
        Libc.exitNow(status);
    }

    /** Exit status when the init cannot start (before any phase ran) or cannot receive signals. */
    static final int FATAL = 1;

    /** Everything up to the init's exit: signals, arguments, options, runtime, phases. @return the exit status */
    private static int start(String[] args) {
        // First, before the init opens anything: the fds the container started it with, which
        // every child gets (and none of the JVM's own).
        List<Integer> inherited = InitProcess.inheritedDescriptors();
        // Then no read-around for the JVM's files: the boot keeps only the pages it uses resident
        try {
            InitProcess.noReadAround(Path.of("/proc"));
        } catch (IOException | RuntimeException e) {
            // best effort: no /proc, or a kernel that refuses the advice
        }
        Abort abort = new Abort();
        AtomicReference<EventLog> logRef = new AtomicReference<>();
        // The reaper lives until the JVM exits; the loop (SignalFd), run by this thread whenever it
        // waits, reaps on each SIGCHLD.
        Reaper reaper = new Reaper(inherited);
        SignalRouter router = new SignalRouter(abort, reaper, (signal, decision) -> received(logRef.get(), signal, decision));
        // Signals first. The launcher started this JVM with them blocked (and -Xrs): whatever
        // arrived since the container's exec is pending, and the signalfd reads it now.
        String problem = SignalMode.adopt(router, abort, line -> {
            EventLog log = logRef.get();
            if (log != null) log.warn("signal.error", line);
            else System.err.println("*** my_init: " + line);
        });
        if (problem != null) {
            // started without the launcher (java -m io.jinit/...): once more, the launcher's way
            if (!SignalMode.reexecuted()) problem = SignalMode.reexec() + " (" + problem + ")";
            System.err.println("*** my_init: cannot receive signals: " + problem);
            return FATAL;
        }
        // The environment is read once, for the options and the Env phase, and given back what
        // the launcher took from it (the container's JVM variables).
        SequencedMap<String, String> env = InitProcess.environment();
        // A fault signal sent with kill must not be taken for a crash of the JVM
        Optional<String> faults = InitProcess.relayFaultSignals();
        LauncherArguments launcher = LauncherArguments.parse(RawArguments.of(args), env);
        launcher.restore(env);
        SignalMode.restore(env);
        // From outside, the init is the command line the container ran (/sbin/my_init ...), named
        // my_init: not a JVM, and no JVM option or variable in its command line.
        Optional<String> disguise = launcher.launched()
                ? InitProcess.showAs(launcher.commandLine().stream().map(RawStrings::encode).toList())
                : Optional.empty();
        String[] raw = launcher.args().toArray(String[]::new);
        try {
            return run(raw, env, abort, reaper, router, logRef, inherited,
                    Stream.of(disguise, faults).flatMap(Optional::stream).reduce((a, b) -> a + "; " + b));
        } catch (InterruptedException e) {
            return FATAL;
        }
    }

    /** The debug lines of a received signal: {@code Received SIGHUP.}, and {@code Dropped SIGHUP.} when it is dropped. */
    private static void received(EventLog log, int signal, SignalPolicy.Decision decision) {
        if (log == null) return;
        String name = Signal.nameOf(signal);
        log.debug("signal.received", "Received " + name + ".", "signal", signal);
        if (decision instanceof SignalPolicy.Decision.Drop(String reason)) {
            log.debug("signal.dropped", "Dropped " + name + ".", "signal", signal, "reason", reason);
        }
    }

    private static int run(String[] args, SequencedMap<String, String> env, Abort abort, Reaper reaper,
                           SignalRouter router, AtomicReference<EventLog> logRef, List<Integer> inherited,
                           Optional<String> problems) throws InterruptedException {
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
        router.use(config.signals());
        problems.ifPresent(why -> log.debug("boot.outside", "Not all of the init's outside is as it should be: " + why));
        log.debug("boot.fds", "Children get the descriptors the init was started with: " + inherited, "fds", inherited);
        InjectedFault.at("start");
        if (config.skipRunit() && config.mainCommand().isEmpty()) {
            log.error("usage", "When --skip-runit is given, you must also pass a main command.");
            return 1;
        }
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
