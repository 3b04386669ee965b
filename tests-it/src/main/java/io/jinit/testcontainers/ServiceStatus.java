package io.jinit.testcontainers;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One runit service as {@code sv status DIR} reports it, see sv(8).
 *
 * @param name       the service directory's name, e.g. {@code cron} for {@code /etc/service/cron}
 * @param normallyUp {@code true} when the service directory has no {@code down} file, i.e. runsv(8)
 *                   starts the service on its own ("enabled"); {@code false} when it has one
 * @param state      the state sv(8) printed first on the line
 * @param pid        the PID of the service's {@code run} (or {@code finish}) process, in the
 *                   container's PID namespace, when sv printed one
 * @param seconds    seconds the service has been in {@code state}, when sv printed it
 * @param line       the line sv(8) printed, unchanged (for messages), e.g.
 *                   {@code run: /etc/service/cron: (pid 42) 3s}
 */
public record ServiceStatus(String name, boolean normallyUp, State state, OptionalLong pid,
                            OptionalLong seconds, String line) {

    /** The first word of an {@code sv status} line. */
    public enum State {
        /** {@code run:} the service's run process is running. */
        RUN,
        /** {@code down:} supervised by runsv, not running (stopped, or has a {@code down} file). */
        DOWN,
        /** {@code finish:} the service's {@code finish} script is running. */
        FINISH,
        /**
         * {@code fail:} or {@code warning:} or anything else: the service is not supervised
         * (no runsv(8) for it, e.g. runsvdir(8) is not running yet or any more).
         */
        UNSUPERVISED
    }

    private static final Pattern LINE = Pattern.compile("^(run|down|finish|fail|warning): (.*)$");
    private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");
    private static final Pattern SECONDS = Pattern.compile("(?:^|[:)] )(\\d+)s(?:$|[,;])");

    /** Validates the components; {@code pid} and {@code seconds} are empty when unknown. */
    public ServiceStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(seconds, "seconds");
        Objects.requireNonNull(line, "line");
    }

    /**
     * Parses the line that {@code sv status DIR} printed for one service. Only the service's
     * own part is read; a {@code ; run: log: ...} part about its log service is ignored.
     *
     * @param name       the service's name (the directory's base name)
     * @param normallyUp whether the directory has no {@code down} file
     * @param line       sv's line (stdout or stderr), without the line break
     * @return the parsed status; a line that is not understood gives {@link State#UNSUPERVISED}
     *         without PID and seconds, never an exception
     */
    public static ServiceStatus parse(String name, boolean normallyUp, String line) {
        Objects.requireNonNull(line, "line");
        String own = line;
        int semicolon = own.indexOf("; ");
        if (semicolon >= 0) {
            own = own.substring(0, semicolon);
        }
        Matcher m = LINE.matcher(own);
        if (!m.matches()) {
            return new ServiceStatus(name, normallyUp, State.UNSUPERVISED, OptionalLong.empty(),
                    OptionalLong.empty(), line);
        }
        State state = switch (m.group(1)) {
            case "run" -> State.RUN;
            case "down" -> State.DOWN;
            case "finish" -> State.FINISH;
            default -> State.UNSUPERVISED;
        };
        if (state == State.UNSUPERVISED) {
            return new ServiceStatus(name, normallyUp, state, OptionalLong.empty(),
                    OptionalLong.empty(), line);
        }
        // the rest after "<state>: <path>: " ; the path itself may not contain ": " (runit paths)
        String rest = m.group(2);
        int colon = rest.indexOf(": ");
        String details = colon >= 0 ? rest.substring(colon + 2) : rest;
        Matcher p = PID.matcher(details);
        OptionalLong pid = p.find() ? OptionalLong.of(Long.parseLong(p.group(1))) : OptionalLong.empty();
        Matcher s = SECONDS.matcher(details);
        OptionalLong seconds = s.find() ? OptionalLong.of(Long.parseLong(s.group(1))) : OptionalLong.empty();
        return new ServiceStatus(name, normallyUp, state, pid, seconds, line);
    }

    /**
     * Whether the service is where runit wants it after boot: running when it is
     * {@linkplain #normallyUp() normally up}, supervised and down when it has a {@code down} file.
     *
     * @return {@code true} when booted as configured
     */
    public boolean isSettled() {
        return normallyUp ? state == State.RUN : state == State.DOWN;
    }
}
