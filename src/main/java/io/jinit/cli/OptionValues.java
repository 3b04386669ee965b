package io.jinit.cli;

import io.jinit.boot.BootConfig;
import io.jinit.boot.InitPaths;
import io.jinit.cli.OptionTable.Option;
import io.jinit.cli.OptionTable.Rewrite;
import io.jinit.log.EventLog;
import io.jinit.process.Signal;
import io.jinit.process.SignalPolicy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of one run, resolved from the two sources of {@link OptionTable}: the command line
 * (as picocli parsed it into {@code spec}) wins over {@code MY_INIT_<NAME>} in the init's
 * environment, which wins over the option's absent value. Bad values throw
 * {@link IllegalArgumentException} with a one-line message naming the option (or variable).
 *
 * @param spec the parsed command line
 * @param env  the init's environment
 */
record OptionValues(CommandSpec spec, Map<String, String> env) {

    /**
     * @return the option's value: from the command line, else from its {@code MY_INIT_*}
     *     variable (a flag's only when 1, true, yes or on; a blank value counts as none), else
     *     its absent value
     * @throws IllegalArgumentException when the text is not a valid value
     */
    <T> T get(Option<T> o) {
        List<String> texts = onCommandLine(o) ? commandLineTexts(o) : envTexts(o);
        return texts == null ? o.absent() : o.read().read(texts);
    }

    /** @return true if the option was given on the command line (not from its env default) */
    boolean onCommandLine(Option<?> o) {
        return !optionSpec(o).originalStringValues().isEmpty();
    }

    private OptionSpec optionSpec(Option<?> o) {
        return spec.findOption(o.name());
    }

    private List<String> commandLineTexts(Option<?> o) {
        OptionSpec s = optionSpec(o);
        return switch (o.arity()) {
            case FLAG -> List.of();
            case VALUE -> List.of(s.getValue().toString());
            case OPTIONAL_VALUE -> List.of(s.getValue() != null ? s.getValue().toString() : s.fallbackValue());
            case REPEATABLE -> ((List<?>) s.getValue()).stream().map(Object::toString).toList();
        };
    }

    private List<String> envTexts(Option<?> o) {
        String e = env.get(o.envName());
        if (e == null) return null;
        return switch (o.arity()) {
            case FLAG -> OptionTable.TRUE_WORDS.contains(e.strip().toLowerCase(Locale.ROOT)) ? List.of() : null;
            case VALUE, OPTIONAL_VALUE -> e.isBlank() ? null : List.of(e);
            case REPEATABLE -> {
                List<String> parts = new ArrayList<>();
                for (String part : e.split("[,\\s]+")) if (!part.isBlank()) parts.add(part);
                yield parts.isEmpty() ? null : parts;
            }
        };
    }

    /** @return DEBUG with {@code --verbose}, else WARN with {@code --quiet}, else INFO */
    EventLog.Level level() {
        if (get(OptionTable.VERBOSE)) return EventLog.Level.DEBUG;
        return get(OptionTable.QUIET) ? EventLog.Level.WARN : EventLog.Level.INFO;
    }

    /**
     * @return the run's configuration
     * @throws IllegalArgumentException with a one-line message for the first bad option or variable
     */
    BootConfig config() {
        Duration killProcess = Durations.seconds("KILL_PROCESS_TIMEOUT", env.getOrDefault("KILL_PROCESS_TIMEOUT", "30"));
        Duration killAll = Durations.seconds("KILL_ALL_PROCESSES_TIMEOUT", env.getOrDefault("KILL_ALL_PROCESSES_TIMEOUT", "30"));
        InitPaths paths = InitPaths.under(Path.of(get(OptionTable.ROOT)), env.get("ENV_INIT_DIRECTORY"));
        BootConfig.KillAll killAllMode = killAllMode();
        SignalPolicy.Forward forward = get(OptionTable.FORWARD_SIGNALS);
        Signal stop = get(OptionTable.STOP_SIGNAL);
        if (stop == null) stop = Signal.TERM;
        Map<Signal, Signal> rewrite = new LinkedHashMap<>();
        Set<Signal> dropped = new HashSet<>();
        String option = OptionTable.REWRITE.name();
        for (Rewrite r : get(OptionTable.REWRITE)) {
            if (r.from() != Signal.TERM && !SignalPolicy.forwardable(r.from().number())) {
                throw new IllegalArgumentException(option + ": " + r.from().fullName() + " is never forwarded"
                        + "; FROM must be TERM or a forwarded signal (any but " + String.join(", ", SignalPolicy.notForwarded()) + ")");
            }
            if (r.from() == Signal.TERM && r.drops()) {
                throw new IllegalArgumentException(option + ": TERM:0 would leave the main command without a stop signal");
            }
            if (r.drops()) dropped.add(r.from());
            // TERM:X is the stop signal X; a --stop-signal on the command line wins over it
            else if (r.from() == Signal.TERM) {
                if (!onCommandLine(OptionTable.STOP_SIGNAL)) stop = r.to();
            }
            else rewrite.put(r.from(), r.to());
        }
        get(OptionTable.SIGNAL_MODE_OPTION); // validated only: signalfd is the one mode
        if (get(OptionTable.SKIP_RUNIT) && get(OptionTable.WAIT_FOR_SERVICES) != null) {
            throw new IllegalArgumentException(OptionTable.WAIT_FOR_SERVICES.name() + source(OptionTable.WAIT_FOR_SERVICES)
                    + " waits for runit services, but " + OptionTable.SKIP_RUNIT.name() + source(OptionTable.SKIP_RUNIT)
                    + " starts none: drop one of them");
        }
        boolean notReadyIsFatal = get(OptionTable.SERVICES_NOT_READY);
        Set<Integer> success = new HashSet<>(get(OptionTable.SUCCESS_EXIT_STATUS));
        @SuppressWarnings("unchecked")
        List<String> main = (List<String>) spec.positionalParameters().getFirst().getValue();
        return new BootConfig(get(OptionTable.ENABLE_INSECURE_KEY), get(OptionTable.SKIP_STARTUP_FILES),
                get(OptionTable.SKIP_RUNIT), main == null ? List.of() : main, killAllMode, success, paths,
                new SignalPolicy(forward, rewrite, dropped, stop),
                new BootConfig.Timeouts(killProcess, killAll, get(OptionTable.MAIN_TIMEOUT), get(OptionTable.WAIT_FOR_DESCENDANTS)),
                new BootConfig.ReadinessPolicy(get(OptionTable.WAIT_FOR_SERVICES), notReadyIsFatal));
    }

    /** @return "" for an option on the command line, else " (from MY_INIT_NAME)" */
    private String source(Option<?> o) {
        return onCommandLine(o) ? "" : " (from " + o.envName() + ")";
    }

    /**
     * {@code --kill-all} and {@code --no-kill-all-on-exit}: the command line wins over both env
     * defaults; on the command line, {@code --no-kill-all-on-exit} with another mode is an error.
     */
    private BootConfig.KillAll killAllMode() {
        BootConfig.KillAll mode = get(OptionTable.KILL_ALL);
        if (onCommandLine(OptionTable.NO_KILL_ALL_ON_EXIT)) {
            if (onCommandLine(OptionTable.KILL_ALL) && mode != BootConfig.KillAll.NEVER) {
                throw new IllegalArgumentException("--no-kill-all-on-exit contradicts --kill-all="
                        + commandLineTexts(OptionTable.KILL_ALL).getFirst());
            }
            return BootConfig.KillAll.NEVER;
        }
        if (onCommandLine(OptionTable.KILL_ALL)) return mode;
        if (get(OptionTable.NO_KILL_ALL_ON_EXIT)) return BootConfig.KillAll.NEVER;
        return mode == null ? BootConfig.KillAll.AUTO : mode;
    }
}
