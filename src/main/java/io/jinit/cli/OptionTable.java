package io.jinit.cli;

import io.jinit.boot.BootConfig;
import io.jinit.log.EventLog;
import io.jinit.process.Signal;
import io.jinit.process.SignalPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every option of {@code my_init}, as one table: its names, how it takes a value, its help text,
 * the parser that turns its text into a typed value (with the one-line error for bad input), and
 * its value when it is given nowhere. Every option also reads a default from the environment
 * variable {@code MY_INIT_<LONG NAME>} ({@link Option#envName}); the command line wins.
 * {@link OptionValues} resolves the two sources; {@link #commandSpec} builds picocli's model
 * (programmatically: nothing is scanned by reflection at boot).
 */
final class OptionTable {
    private OptionTable() {}

    /** How an option takes its value on the command line. */
    enum Arity {
        /** No value: present or not ({@code MY_INIT_X} = 1, true, yes or on). */
        FLAG,
        /** One value: {@code --name VALUE} or {@code --name=VALUE}. */
        VALUE,
        /** An optional value: {@code --name} alone takes the option's fallback. */
        OPTIONAL_VALUE,
        /** Repeatable, one value each time ({@code MY_INIT_X}: values separated by commas or spaces). */
        REPEATABLE
    }

    /**
     * Turns an option's text into its value.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    interface Parser<T> {
        /**
         * @param option the option's long name, for the error
         * @param text   the text given
         * @return the value
         * @throws IllegalArgumentException with a one-line message that names the option and the reason
         */
        T parse(String option, String text);
    }

    /**
     * One option.
     *
     * @param names       its names, the long one last (e.g. {@code -v}, {@code --verbose})
     * @param arity       how it takes a value
     * @param label       the value's label in the help ({@code TIMEOUT}); null for flags
     * @param fallback    the text an {@link Arity#OPTIONAL_VALUE} option takes when given alone; else null
     * @param description the help text
     * @param read        reads the value from all the texts given (one, or one per repetition)
     * @param absent      the value when the option is given neither on the command line nor in
     *                    the environment
     * @param <T> the value's type
     */
    record Option<T>(List<String> names, Arity arity, String label, String fallback, String description,
                     Reader<T> read, T absent) {
        /** @return the long name, e.g. {@code --kill-all} */
        String name() {
            return names.getLast();
        }

        /** @return the environment variable that gives the default, e.g. {@code MY_INIT_KILL_ALL} */
        String envName() {
            return "MY_INIT_" + name().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
        }
    }

    /**
     * Reads an option's value from the texts given for it.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    interface Reader<T> {
        /**
         * @param texts one text, or one per repetition of a {@link Arity#REPEATABLE} option; empty for a flag
         * @return the value
         * @throws IllegalArgumentException with a one-line message
         */
        T read(List<String> texts);
    }

    private static Option<Boolean> flag(String description, String... names) {
        return new Option<>(List.of(names), Arity.FLAG, null, null, description, texts -> true, false);
    }

    private static <T> Option<T> value(String name, String label, String description, Parser<T> parser, T absent) {
        return new Option<>(List.of(name), Arity.VALUE, label, null, description,
                texts -> parser.parse(name, texts.getFirst()), absent);
    }

    private static <T> Option<T> optionalValue(String name, String label, String fallback, String description,
                                               Parser<T> parser) {
        return new Option<>(List.of(name), Arity.OPTIONAL_VALUE, label, fallback, description,
                texts -> parser.parse(name, texts.getFirst()), null);
    }

    private static <E> Option<List<E>> repeatable(String name, String label, String description, Parser<E> parser) {
        return new Option<>(List.of(name), Arity.REPEATABLE, label, null, description,
                texts -> texts.stream().map(t -> parser.parse(name, t)).toList(), List.of());
    }

    // --- parsers ---------------------------------------------------------------

    /** @return a parser of the enum's constants, any case: "'x' is not one of a, b, c" */
    static <E extends Enum<E>> Parser<E> choice(Class<E> type) {
        return (option, text) -> {
            try {
                return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                List<String> names = new ArrayList<>();
                for (E c : type.getEnumConstants()) names.add(c.name().toLowerCase(Locale.ROOT));
                throw new IllegalArgumentException(option + ": '" + text + "' is not one of " + String.join(", ", names));
            }
        };
    }

    /** A signal: a name with or without SIG, any case, or a number ({@link Signal#parse}). */
    static final Parser<Signal> SIGNAL = (option, text) -> {
        try {
            return Signal.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    };

    /** {@code FROM:TO}: FROM a signal, TO a signal or {@code 0} (drop). */
    record Rewrite(Signal from, Signal to) {
        /** @return true for {@code FROM:0}: drop FROM */
        boolean drops() {
            return to == null;
        }
    }

    static final Parser<Rewrite> REWRITE_PARSER = (option, text) -> {
        int colon = text.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException(option + ": '" + text + "' is not FROM:TO (e.g. USR1:HUP, WINCH:0)");
        Signal from = SIGNAL.parse(option, text.substring(0, colon));
        String to = text.substring(colon + 1).strip();
        return new Rewrite(from, to.equals("0") ? null : SIGNAL.parse(option, to));
    };

    static final Parser<Integer> EXIT_STATUS = (option, text) -> {
        try {
            String digits = text.strip();
            if (!Durations.asciiDigits(digits) || digits.length() > 3) throw new NumberFormatException();
            int n = Integer.parseInt(digits);
            if (n > 255) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not an exit status (0-255)");
        }
    };

    static final Parser<EventLog.Format> LOG_FORMAT = (option, text) -> switch (text) {
        case "text" -> EventLog.Format.TEXT;
        case "json" -> EventLog.Format.JSON;
        default -> throw new IllegalArgumentException(option + ": '" + text + "' is not text or json");
    };

    /** {@code fail} (true: not ready is fatal) or {@code warn}. */
    static final Parser<Boolean> NOT_READY_IS_FATAL = (option, text) -> switch (text) {
        case "fail" -> true;
        case "warn" -> false;
        default -> throw new IllegalArgumentException(option + ": '" + text + "' is not fail or warn");
    };

    /** {@code signalfd}, the only mode; {@code handlers} (jinit 0.1) is refused with its reason. */
    static final Parser<String> SIGNAL_MODE = (option, text) -> {
        String mode = text.strip();
        if (mode.equals("handlers")) {
            throw new IllegalArgumentException(option + ": handlers was removed in jinit 0.2: the signals are "
                    + "always read from a signalfd (QUIT is forwarded, no HotSpot handlers)");
        }
        if (!mode.equals("signalfd")) throw new IllegalArgumentException(option + ": '" + text + "' is not signalfd");
        return mode;
    };

    static final Parser<Duration> DURATION = Durations::duration;

    // --- the table -------------------------------------------------------------

    static final Option<Boolean> HELP = flag("Show this help message and exit.", "-h", "--help");
    static final Option<Boolean> VERSION = flag("Print version information and exit.", "-V", "--version");
    static final Option<Boolean> ENABLE_INSECURE_KEY =
            flag("Install the insecure SSH key (runs /usr/sbin/enable_insecure_key).", "--enable-insecure-key");
    static final Option<Boolean> SKIP_STARTUP_FILES =
            flag("Skip running /etc/my_init.d/* and /etc/rc.local.", "--skip-startup-files");
    static final Option<Boolean> SKIP_RUNIT = flag("Do not run runit services.", "--skip-runit");
    static final Option<Boolean> NO_KILL_ALL_ON_EXIT = flag(
            "Don't kill all processes on the system upon exiting (same as --kill-all=never).", "--no-kill-all-on-exit");
    static final Option<Boolean> QUIET = flag("Only print warnings and errors.", "--quiet");
    static final Option<Boolean> VERBOSE = flag("Print debug lines too.", "-v", "--verbose");
    static final Option<String> ROOT = value("--root", "DIR", "Take every default path under DIR (for tests; default /).",
            (option, text) -> text, "/");
    static final Option<BootConfig.KillAll> KILL_ALL = value("--kill-all", "MODE", "auto: kill every process when PID 1, "
            + "only our descendants otherwise (default); always; never.", choice(BootConfig.KillAll.class), null);
    static final Option<SignalPolicy.Forward> FORWARD_SIGNALS = value("--forward-signals", "TARGET", "Where the "
            + "forwarded signals go (every signal but " + String.join(", ", SignalPolicy.notForwarded()) + "; README "
            + "\"Signals\"): group (the main command's process group, default), process (the main command alone), none.", choice(SignalPolicy.Forward.class), SignalPolicy.Forward.GROUP);
    static final Option<List<Rewrite>> REWRITE = repeatable("--rewrite", "FROM:TO", "Forward signal FROM as TO; TO 0 "
            + "drops FROM (repeatable; e.g. --rewrite USR1:HUP). TERM:X is --stop-signal X.", REWRITE_PARSER);
    static final Option<Signal> STOP_SIGNAL = value("--stop-signal", "SIG",
            "What the main command gets when the init stops it (default TERM).", SIGNAL, null);
    static final Option<Duration> WAIT_FOR_SERVICES = optionalValue("--wait-for-services", "TIMEOUT", "30s",
            "Before the main command, wait up to TIMEOUT (default 30s) until every enabled runit service is up and "
                    + "its ./check passes.", DURATION);
    static final Option<Boolean> SERVICES_NOT_READY = value("--services-not-ready", "ACTION",
            "When services are not ready in time: fail (exit 1, default) or warn.", NOT_READY_IS_FATAL, true);
    static final Option<Duration> WAIT_FOR_DESCENDANTS = optionalValue("--wait-for-descendants", "TIMEOUT", "10s",
            "After the main command exits, wait up to TIMEOUT (default 10s) for its descendants to exit before "
                    + "shutting down.", DURATION);
    static final Option<Duration> MAIN_TIMEOUT = value("--main-timeout", "DURATION",
            "Stop the main command after DURATION; the init then exits 124.", DURATION, null);
    static final Option<String> SIGNAL_MODE_OPTION = value("--signal-mode", "MODE", "signalfd, the only mode: the "
            + "signals are blocked from the exec on and read from a signalfd (kept for MY_INIT_SIGNAL_MODE=signalfd of "
            + "jinit 0.1).", SIGNAL_MODE, "signalfd");
    static final Option<EventLog.Format> LOG_FORMAT_OPTION = value("--log-format", "FORMAT",
            "text (*** lines, default) or json (one object per line).", LOG_FORMAT, EventLog.Format.TEXT);
    static final Option<List<Integer>> SUCCESS_EXIT_STATUS = repeatable("--success-exit-status", "N",
            "Exit 0 when the main command exits N (repeatable).", EXIT_STATUS);

    /** Every option, in the order of the help. */
    static final List<Option<?>> ALL = List.of(HELP, VERSION, ENABLE_INSECURE_KEY, SKIP_STARTUP_FILES, SKIP_RUNIT,
            NO_KILL_ALL_ON_EXIT, QUIET, VERBOSE, ROOT, KILL_ALL, FORWARD_SIGNALS, REWRITE, STOP_SIGNAL, WAIT_FOR_SERVICES,
            SERVICES_NOT_READY, WAIT_FOR_DESCENDANTS, MAIN_TIMEOUT, SIGNAL_MODE_OPTION, LOG_FORMAT_OPTION,
            SUCCESS_EXIT_STATUS);

    /** The values that make a flag true in its {@code MY_INIT_*} variable (stripped, any case). */
    static final Set<String> TRUE_WORDS = Set.of("1", "true", "yes", "on");

    // --- picocli's model and the help --------------------------------------------

    /** The prefix of every one-line error the init prints before its log exists. */
    static final String ERROR_PREFIX = "*** my_init: ";
    /** Columns of {@code --help}: the usage lines are wrapped at this width. */
    static final int HELP_WIDTH = 80;

    /**
     * @param version the version lines of {@code --version}
     * @return picocli's model of the command line: every option of {@link #ALL} and the main command
     */
    static CommandSpec commandSpec(String... version) {
        CommandSpec spec = CommandSpec.create();
        spec.name("my_init");
        spec.version(version);
        spec.usageMessage()
                .description("Init process (PID 1) for containers: imports /etc/container_environment, runs "
                                + "/etc/my_init.d/* and /etc/rc.local, starts runit (runsvdir -P /etc/service), runs "
                                + "MAIN_COMMAND if given, and shuts everything down on exit or on SIGTERM/SIGINT.",
                        "Every option also reads a default from MY_INIT_<OPTION> (e.g. MY_INIT_QUIET=1, "
                                + "MY_INIT_KILL_ALL=never); the command line wins.")
                .footerHeading("%nEnvironment:%n")
                .footer("  ENV_INIT_DIRECTORY          startup scripts directory (default /etc/my_init.d)",
                        "  KILL_PROCESS_TIMEOUT        seconds a stopped process gets before KILL (30)",
                        "  KILL_ALL_PROCESSES_TIMEOUT  seconds kill-all waits before KILL (30)",
                        "",
                        "Exit status:",
                        "  0      the main command exited 0 (or with a --success-exit-status)",
                        "  N      the main command exited N; runit-only mode: runsvdir exited N",
                        "  128+S  the main command was killed by signal S (143 = 128 + SIGTERM)",
                        "  1      a startup script failed, services were not ready, runit did not start",
                        "  2      SIGTERM or SIGINT (Init system aborted.), or a bad option or",
                        "         environment value (then nothing was started)",
                        "  124    the main command ran longer than --main-timeout",
                        "  126    the main command was found but cannot be executed",
                        "  127    the main command was not found");
        for (Option<?> o : ALL) {
            OptionSpec.Builder b = OptionSpec.builder(o.names().toArray(String[]::new)).description(o.description());
            if (o == HELP) b.usageHelp(true);
            if (o == VERSION) b.versionHelp(true);
            switch (o.arity()) {
                case FLAG -> { }
                case VALUE -> b.paramLabel(o.label()).type(String.class);
                case OPTIONAL_VALUE -> b.paramLabel(o.label()).type(String.class).arity("0..1").fallbackValue(o.fallback());
                case REPEATABLE -> b.paramLabel(o.label()).type(List.class).auxiliaryTypes(String.class);
            }
            spec.addOption(b.build());
        }
        spec.addPositional(PositionalParamSpec.builder().paramLabel("MAIN_COMMAND").arity("0..*")
                .type(List.class).auxiliaryTypes(String.class)
                .description("The main command to run, after --. (default: runit)").build());
        spec.usageMessage().customSynopsis(synopsis(spec));
        return spec;
    }

    /** @return the command line parser of {@code spec}: no @-files, no clustered short options */
    static CommandLine commandLine(CommandSpec spec) {
        CommandLine cl = new CommandLine(spec);
        cl.setExpandAtFiles(false);
        cl.setUnmatchedOptionsArePositionalParams(false);
        cl.setPosixClusteredShortOptionsAllowed(false);
        return cl;
    }

    /**
     * The usage lines: every option as one token that is never broken (picocli's own synopsis
     * breaks {@code [--wait-for-services[=TIMEOUT]]} in two), wrapped at {@link #HELP_WIDTH}.
     *
     * @return the lines, the first one to follow picocli's {@code "Usage: "} heading
     */
    static String[] synopsis(CommandSpec spec) {
        List<String> tokens = new ArrayList<>();
        tokens.add("my_init");
        for (OptionSpec o : spec.options()) {
            String name = o.shortestName();
            String token;
            if (o.arity().max() == 0) token = "[" + name + "]";
            else if (o.arity().min() == 0) token = "[" + name + "[=" + o.paramLabel() + "]]";
            else token = "[" + name + "=" + o.paramLabel() + "]" + (o.isMultiValue() ? "..." : "");
            tokens.add(token);
        }
        tokens.add("[-- MAIN_COMMAND [ARG...]]");
        String indent = " ".repeat("Usage: my_init ".length());
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int width = HELP_WIDTH - "Usage: ".length();
        for (String t : tokens) {
            if (!line.isEmpty() && line.length() + 1 + t.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
                width = HELP_WIDTH;
            } else if (!line.isEmpty() && !line.toString().isBlank()) {
                line.append(' ');
            }
            line.append(t);
        }
        lines.add(line.toString());
        return lines.toArray(String[]::new);
    }

    /** @return the lines of {@code --version}: version, commit, build date, Java feature release */
    static String[] versionLines() {
        String version = MyInit.class.getModule().getDescriptor() == null ? "dev"
                : MyInit.class.getModule().getDescriptor().rawVersion().orElse("dev");
        return new String[] {"jinit " + version + " (" + buildInfo() + ")",
                "my_init-compatible init for containers, Java " + Runtime.version().feature()};
    }

    /**
     * The commit and build time that the build wrote to {@code build-info.properties} (see
     * {@code src/main/build/build-info.sh}).
     *
     * @return e.g. {@code commit 44dbc35a1b2c, built 2026-11-30T12:00:00Z}; "unknown" parts
     *         when the resource is missing (a build from an IDE)
     */
    static String buildInfo() {
        java.util.Properties p = new java.util.Properties();
        try (var in = MyInit.class.getResourceAsStream("build-info.properties")) {
            if (in != null) p.load(in);
        } catch (java.io.IOException e) {
            // keep the defaults
        }
        return "commit " + p.getProperty("commit", "unknown") + ", built " + p.getProperty("date", "unknown");
    }
}
