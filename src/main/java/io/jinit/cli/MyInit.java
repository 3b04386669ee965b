package io.jinit.cli;

import io.jinit.boot.BootConfig;
import io.jinit.boot.InitPaths;
import io.jinit.boot.InitRuntime;
import io.jinit.boot.Phase;
import io.jinit.env.ContainerEnvironment;
import io.jinit.log.EventLog;
import io.jinit.posix.Libc;
import io.jinit.posix.Signal;
import io.jinit.process.Abort;
import io.jinit.process.ChildProcess;
import io.jinit.process.KillableCommand;
import io.jinit.process.Reaper;
import io.jinit.process.SignalRouter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code my_init}: the command line at the edge. Installs the signal handlers first, parses the
 * options (picocli's programmatic API: nothing is scanned by reflection at start), resolves the
 * environment-variable defaults, validates with one-line errors (exit 2, nothing started), builds
 * the {@link BootConfig} and runs the {@link Phase} machine.
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
            System.exit(1);
        }
        LauncherArguments launcher = LauncherArguments.parse(RawArguments.of(args));
        // The environment is read once, for the options and the Env phase, and given back what
        // the launcher took from it (the container's JVM variables).
        SequencedMap<String, String> env = Phase.Env.processEnvironment();
        launcher.restore(env);
        SignalMode.restore(env);
        String[] raw = launcher.args().toArray(String[]::new);
        int status;
        try {
            status = run(raw, env, abort, router, logRef);
        } catch (InterruptedException e) {
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        // _exit, not System.exit: HotSpot's exit would wait ~300 ms for the signalfd reader,
        // which is always blocked in read(2) (and the reaper, when it waits for a child). The
        // build's AOT training run (make-image.sh) needs the JVM's exit, which writes the cache.
        if (Boolean.getBoolean(AOT_TRAINING_PROPERTY)) System.exit(status);
        Libc.exitNow(status);
    }

    private static int run(String[] args, SequencedMap<String, String> env, Abort abort, SignalRouter router,
                           AtomicReference<EventLog> logRef) throws InterruptedException {
        Options options = new Options(env);
        CommandLine cl = options.commandLine();
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println("my_init: " + e.getMessage().lines().findFirst().orElse("bad arguments")
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
        BootConfig config;
        EventLog log;
        try {
            log = EventLog.toStderr(options.level(), options.logFormat());
            config = options.toConfig();
        } catch (IllegalArgumentException e) {
            System.err.println("*** my_init: " + e.getMessage());
            return USAGE_ERROR;
        }
        logRef.set(log);
        if (config.skipRunit() && config.mainCommand().isEmpty()) {
            log.error("usage", "When --skip-runit is given, you must also pass a main command.");
            return 1;
        }
        // The reaper lives until the JVM exits: it is never closed, so exit never waits for it.
        Reaper reaper = Reaper.start();
        KillableCommand commands = new KillableCommand(reaper, abort, config.killProcessTimeout(),
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
        InitRuntime rt = new InitRuntime(config, log, reaper, commands, envStore, router, abort, Libc.getpid() == 1);
        return Phase.run(new Phase.Boot(rt, env));
    }

    /** The option model; each option's env default is {@code MY_INIT_<NAME>} (e.g. MY_INIT_KILL_ALL). */
    static final class Options {
        private final Map<String, String> env;
        private final CommandSpec spec = CommandSpec.create();
        Options(Map<String, String> env) {
            this.env = env;
            spec.name("my_init");
            spec.version("jinit " + version(), "my_init-compatible init for containers, Java "
                    + Runtime.version().feature());
            // -h/--help and -V/--version as plain options: picocli's standard-help mixin is an
            // annotated class, read by reflection (4 dynamic proxies) at every boot.
            spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                    .description("Show this help message and exit.").build());
            spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                    .description("Print version information and exit.").build());
            spec.usageMessage()
                    .description("Init process (PID 1) for containers: imports /etc/container_environment, runs "
                            + "/etc/my_init.d/* and /etc/rc.local, starts runit (runsvdir -P /etc/service), runs "
                            + "MAIN_COMMAND if given, and shuts everything down on exit or on SIGTERM/SIGINT.",
                            "Every option also reads a default from MY_INIT_<OPTION> (e.g. MY_INIT_QUIET=1, "
                                    + "MY_INIT_KILL_ALL=never); the command line wins.")
                    .footerHeading("%nEnvironment:%n")
                    .footer("  ENV_INIT_DIRECTORY          startup scripts directory (default /etc/my_init.d)",
                            "  KILL_PROCESS_TIMEOUT        seconds a stopped process gets before KILL (30)",
                            "  KILL_ALL_PROCESSES_TIMEOUT  seconds kill-all waits before KILL (30)");
            flag("--enable-insecure-key", "Install the insecure SSH key (runs /usr/sbin/enable_insecure_key).");
            flag("--skip-startup-files", "Skip running /etc/my_init.d/* and /etc/rc.local.");
            flag("--skip-runit", "Do not run runit services.");
            flag("--no-kill-all-on-exit", "Don't kill all processes on the system upon exiting (same as --kill-all=never).");
            flag("--quiet", "Only print warnings and errors.");
            spec.addOption(OptionSpec.builder("-v", "--verbose").description("Print debug lines too.").build());
            option("--root", "DIR", "Take every default path under DIR (for tests; default /).", null);
            option("--kill-all", "MODE", "auto: kill every process when PID 1, only our descendants otherwise (default); "
                    + "always; never.", null);
            option("--forward-signals", "TARGET", "Where HUP, USR1, USR2, WINCH, ALRM, CONT, TSTP go: group (the main "
                    + "command's process group, default), process (the main command alone), none.", null);
            spec.addOption(OptionSpec.builder("--rewrite").paramLabel("FROM:TO").type(List.class).auxiliaryTypes(String.class)
                    .description("Forward signal FROM as TO; TO 0 drops FROM (repeatable; e.g. --rewrite USR1:HUP). "
                            + "TERM:X is --stop-signal X.").build());
            option("--stop-signal", "SIG", "What the main command gets when the init stops it (default TERM).", null);
            option("--wait-for-services", "TIMEOUT", "Before the main command, wait up to TIMEOUT (default 30s) until "
                    + "every enabled runit service is up and its ./check passes.", "30s");
            option("--services-not-ready", "ACTION", "When services are not ready in time: fail (exit 1, default) or warn.", null);
            option("--wait-for-descendants", "TIMEOUT", "After the main command exits, wait up to TIMEOUT (default "
                    + "10s) for its descendants to exit before shutting down.", "10s");
            option("--main-timeout", "DURATION", "Stop the main command after DURATION; the init then exits 124.", null);
            option("--signal-mode", "MODE", "signalfd, the only mode: the signals are blocked from the exec on and "
                    + "read from a signalfd (kept for MY_INIT_SIGNAL_MODE=signalfd of jinit 0.1).", null);
            option("--log-format", "FORMAT", "text (*** lines, default) or json (one object per line).", null);
            spec.addOption(OptionSpec.builder("--success-exit-status").paramLabel("N").type(List.class)
                    .auxiliaryTypes(String.class).description("Exit 0 when the main command exits N (repeatable).").build());
            spec.addPositional(PositionalParamSpec.builder().paramLabel("MAIN_COMMAND").arity("0..*")
                    .type(List.class).auxiliaryTypes(String.class)
                    .description("The main command to run, after --. (default: runit)").build());
        }

        private void flag(String name, String description) {
            spec.addOption(OptionSpec.builder(name).description(description).build());
        }

        private void option(String name, String label, String description, String fallback) {
            OptionSpec.Builder b = OptionSpec.builder(name).paramLabel(label).type(String.class).description(description);
            if (fallback != null) b.arity("0..1").fallbackValue(fallback);
            spec.addOption(b.build());
        }

        CommandLine commandLine() {
            CommandLine cl = new CommandLine(spec);
            cl.setExpandAtFiles(false);
            cl.setUnmatchedOptionsArePositionalParams(false);
            cl.setPosixClusteredShortOptionsAllowed(false);
            return cl;
        }

        private static String envName(String option) {
            return "MY_INIT_" + option.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
        }

        private boolean flagValue(String name) {
            OptionSpec o = spec.findOption(name);
            if (o.originalStringValues().size() > 0) return true;
            String e = env.get(envName(name));
            return e != null && Set.of("1", "true", "yes", "on").contains(e.strip().toLowerCase(Locale.ROOT));
        }

        /** The option's value: command line, else MY_INIT_<NAME>, else null. */
        private String stringValue(String name) {
            OptionSpec o = spec.findOption(name);
            if (!o.originalStringValues().isEmpty()) {
                Object v = o.getValue();
                return v != null ? v.toString() : o.fallbackValue();
            }
            String e = env.get(envName(name));
            return e == null || e.isBlank() ? null : e;
        }

        private List<String> listValue(String name) {
            OptionSpec o = spec.findOption(name);
            List<String> out = new ArrayList<>();
            if (!o.originalStringValues().isEmpty()) {
                for (Object v : (List<?>) o.getValue()) out.add(v.toString());
                return out;
            }
            String e = env.get(envName(name));
            if (e != null) for (String part : e.split("[,\\s]+")) if (!part.isBlank()) out.add(part);
            return out;
        }

        EventLog.Level level() {
            if (flagValue("--verbose")) return EventLog.Level.DEBUG;
            return flagValue("--quiet") ? EventLog.Level.WARN : EventLog.Level.INFO;
        }

        EventLog.Format logFormat() {
            String f = stringValue("--log-format");
            if (f == null || f.equals("text")) return EventLog.Format.TEXT;
            if (f.equals("json")) return EventLog.Format.JSON;
            throw new IllegalArgumentException("--log-format: '" + f + "' is not text or json");
        }

        private static <E extends Enum<E>> E choice(String option, String value, Class<E> type, E fallback) {
            if (value == null) return fallback;
            try {
                return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                StringBuilder names = new StringBuilder();
                for (E c : type.getEnumConstants()) names.append(names.isEmpty() ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
                throw new IllegalArgumentException(option + ": '" + value + "' is not one of " + names);
            }
        }

        private Duration optionalDuration(String option) {
            String v = stringValue(option);
            return v == null ? null : Durations.duration(option, v);
        }

        BootConfig toConfig() {
            Duration killProcess = Durations.seconds("KILL_PROCESS_TIMEOUT", env.getOrDefault("KILL_PROCESS_TIMEOUT", "30"));
            Duration killAll = Durations.seconds("KILL_ALL_PROCESSES_TIMEOUT", env.getOrDefault("KILL_ALL_PROCESSES_TIMEOUT", "30"));
            String root = stringValue("--root");
            InitPaths paths = InitPaths.under(Path.of(root == null ? "/" : root), env.get("ENV_INIT_DIRECTORY"));
            BootConfig.KillAll killAllMode = killAllMode();
            BootConfig.Forward forward = choice("--forward-signals", stringValue("--forward-signals"),
                    BootConfig.Forward.class, BootConfig.Forward.GROUP);
            Map<Signal, Signal> rewrite = new LinkedHashMap<>();
            Set<Signal> dropped = new HashSet<>();
            Signal stop = stringValue("--stop-signal") == null ? Signal.TERM : signal("--stop-signal", stringValue("--stop-signal"));
            for (String r : listValue("--rewrite")) {
                int colon = r.indexOf(':');
                if (colon < 0) throw new IllegalArgumentException("--rewrite: '" + r + "' is not FROM:TO (e.g. USR1:HUP, WINCH:0)");
                Signal from = signal("--rewrite", r.substring(0, colon));
                String to = r.substring(colon + 1).strip();
                List<Signal> forwarded = SignalRouter.FORWARDED;
                if (from != Signal.TERM && !forwarded.contains(from)) {
                    throw new IllegalArgumentException("--rewrite: " + from.fullName() + " is never forwarded"
                            + "; FROM must be TERM or one of "
                            + String.join(", ", forwarded.stream().map(Signal::name).toList()));
                }
                if (from == Signal.TERM && to.equals("0")) {
                    throw new IllegalArgumentException("--rewrite: TERM:0 would leave the main command without a stop signal");
                }
                if (to.equals("0")) dropped.add(from);
                else if (from == Signal.TERM) {
                    // TERM:X is the stop signal X; a --stop-signal on the command line wins over it
                    if (!onCommandLine("--stop-signal")) stop = signal("--rewrite", to);
                }
                else rewrite.put(from, signal("--rewrite", to));
            }
            String mode = stringValue("--signal-mode");
            if (mode != null && mode.strip().equals("handlers")) {
                throw new IllegalArgumentException("--signal-mode: handlers was removed in jinit 0.2: the signals are "
                        + "always read from a signalfd (QUIT is forwarded, no HotSpot handlers)");
            }
            if (mode != null && !mode.strip().equals("signalfd")) {
                throw new IllegalArgumentException("--signal-mode: '" + mode + "' is not signalfd");
            }
            String notReady = stringValue("--services-not-ready");
            if (notReady != null && !Set.of("fail", "warn").contains(notReady)) {
                throw new IllegalArgumentException("--services-not-ready: '" + notReady + "' is not fail or warn");
            }
            Set<Integer> success = new HashSet<>();
            for (String s : listValue("--success-exit-status")) {
                try {
                    int n = Integer.parseInt(s.strip());
                    if (n < 0 || n > 255) throw new NumberFormatException();
                    success.add(n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--success-exit-status: '" + s + "' is not an exit status (0-255)");
                }
            }
            @SuppressWarnings("unchecked")
            List<String> main = (List<String>) spec.positionalParameters().getFirst().getValue();
            return new BootConfig(flagValue("--enable-insecure-key"), flagValue("--skip-startup-files"),
                    flagValue("--skip-runit"), killAllMode, main == null ? List.of() : main, paths, killProcess, killAll,
                    forward, rewrite, dropped, stop, optionalDuration("--wait-for-services"),
                    !"warn".equals(notReady), optionalDuration("--wait-for-descendants"),
                    optionalDuration("--main-timeout"), success);
        }

        /** @return true if the option was given on the command line (not from its env default) */
        private boolean onCommandLine(String name) {
            return !spec.findOption(name).originalStringValues().isEmpty();
        }

        /**
         * {@code --kill-all} and {@code --no-kill-all-on-exit}: the command line wins over both env
         * defaults; on the command line, {@code --no-kill-all-on-exit} with another mode is an error.
         */
        private BootConfig.KillAll killAllMode() {
            BootConfig.KillAll mode = choice("--kill-all", stringValue("--kill-all"), BootConfig.KillAll.class, null);
            if (onCommandLine("--no-kill-all-on-exit")) {
                if (onCommandLine("--kill-all") && mode != BootConfig.KillAll.NEVER) {
                    throw new IllegalArgumentException("--no-kill-all-on-exit contradicts --kill-all="
                            + stringValue("--kill-all"));
                }
                return BootConfig.KillAll.NEVER;
            }
            if (onCommandLine("--kill-all")) return mode;
            if (flagValue("--no-kill-all-on-exit")) return BootConfig.KillAll.NEVER;
            return mode == null ? BootConfig.KillAll.AUTO : mode;
        }

        private static Signal signal(String option, String text) {
            try {
                return Signal.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage());
            }
        }

        private static String version() {
            return MyInit.class.getModule().getDescriptor() == null ? "dev"
                    : MyInit.class.getModule().getDescriptor().rawVersion().orElse("dev");
        }
    }
}
