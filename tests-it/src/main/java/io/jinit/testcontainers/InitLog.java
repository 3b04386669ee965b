package io.jinit.testcontainers;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The init's log: its events in a container's stderr, in either of its log formats:
 * {@code *** message} lines (my_init's, the default) or one JSON object per line
 * ({@code --log-format=json}, with {@code event}, {@code level} and {@code message} fields).
 * Text lines carry no event name, so events are recognised there by their message, which is the
 * same text in both formats. This is the parser {@link MyInitBootWaitStrategy} decides with;
 * {@link MyInitContainer#initLog()} reads a container's, in the format its my_init writes.
 *
 * <p>Lines that are not the init's (a service's or the main command's output, runit's messages)
 * are left out. Example:
 * <pre>{@code
 * InitLog log = container.initLog();
 * assertThat(log.messages()).contains("Running /etc/my_init.d/10_setup...");
 * }</pre>
 *
 * @param events the init's events in the order it logged them; never null
 */
public record InitLog(List<Event> events) {

    /**
     * One event of the init.
     *
     * @param name    the JSON {@code event} field (e.g. {@code main.start}); empty for a text line
     * @param level   the JSON {@code level} field (e.g. {@code info}, {@code error}); empty for a
     *                text line
     * @param message the message without the {@code *** } prefix, e.g.
     *                {@code Runit started as PID 22}
     */
    public record Event(String name, String level, String message) {
    }

    /** @param events the events; copied */
    public InitLog {
        events = List.copyOf(events);
    }

    private static final Pattern JSON_STRING_FIELD =
            Pattern.compile("\"(event|level|message)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SERVICES_READY = Pattern.compile("All \\d+ services are ready\\.");
    private static final Pattern SERVICES_NOT_READY = Pattern.compile("Services not ready after \\d+ ms: .*");
    private static final Pattern MAIN_EXITED =
            Pattern.compile("\\S.* (exited with status \\d+|was killed by signal .*)\\.");
    private static final Pattern SCRIPT_FAILED = Pattern.compile("\\S.* failed(:| with ).*");

    /**
     * Reads the events from a container's stderr; lines that are not the init's are left out.
     *
     * @param stderr the container's stderr so far (lines ending in {@code \n}; a last line without
     *               one is read too)
     * @param json   whether the init writes JSON lines ({@code --log-format=json} or
     *               {@code MY_INIT_LOG_FORMAT=json}); {@code *** } lines are read in both cases (the
     *               init writes its one-line errors before the log starts that way)
     * @return the events in order
     */
    public static InitLog parse(String stderr, boolean json) {
        List<Event> out = new ArrayList<>();
        for (String line : stderr.lines().toList()) {
            if (line.startsWith("*** ")) {
                out.add(new Event("", "", line.substring(4).strip()));
            } else if (json && line.startsWith("{") && line.contains("\"event\"")) {
                String name = "";
                String level = "";
                String message = "";
                Matcher m = JSON_STRING_FIELD.matcher(line);
                while (m.find()) {
                    String v = unescape(m.group(2));
                    switch (m.group(1)) {
                        case "event":
                            name = v;
                            break;
                        case "level":
                            level = v;
                            break;
                        default:
                            message = v;
                    }
                }
                out.add(new Event(name, level, message));
            }
        }
        return new InitLog(out);
    }

    /** @return the events' messages in order, e.g. {@code Booting runit daemon...} */
    public List<String> messages() {
        return events.stream().map(Event::message).toList();
    }

    /**
     * @param name a JSON event name, e.g. {@code services.ready}
     * @return the events of that name in order; empty for a text log (its lines carry no name)
     */
    public List<Event> named(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    /**
     * @param main the main command's words
     * @return whether the init logged that it starts the main command ({@code main.start},
     *         {@code Running <main>...})
     */
    boolean mainStarted(List<String> main) {
        String text = "Running " + String.join(" ", main) + "...";
        return events.stream().anyMatch(e -> e.name().equals("main.start")
                || e.name().isEmpty() && e.message().equals(text));
    }

    /** @return the init's "All N services are ready." ({@code services.ready}) */
    Optional<Event> servicesReady() {
        return first("services.ready", SERVICES_READY);
    }

    /**
     * @return the init's {@code Services not ready after ...} ({@code services.not_ready}); with
     *         {@code --services-not-ready=warn} it ends in "Starting the main command anyway."
     */
    Optional<Event> servicesNotReady() {
        return first("services.not_ready", SERVICES_NOT_READY);
    }

    /** @return the init's line that the main command exited or was killed ({@code main.exited}) */
    Optional<Event> mainExited() {
        return first("main.exited", MAIN_EXITED);
    }

    /** @return the init's line that a startup script failed ({@code script.failed}) */
    Optional<Event> scriptFailed() {
        return first("script.failed", SCRIPT_FAILED);
    }

    /** @return the init's line that the main command could not be started ({@code main.not_started}) */
    Optional<Event> mainNotStarted() {
        return events.stream().filter(e -> e.name().equals("main.not_started")).findFirst();
    }

    private Optional<Event> first(String name, Pattern text) {
        return events.stream().filter(e -> e.name().equals(name)
                || e.name().isEmpty() && text.matcher(e.message()).matches()).findFirst();
    }

    /** Undoes JSON string escapes ({@code \n}, {@code \"}, {@code \\uXXXX}, ...). */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n':
                    b.append('\n');
                    break;
                case 'r':
                    b.append('\r');
                    break;
                case 't':
                    b.append('\t');
                    break;
                case 'b':
                    b.append('\b');
                    break;
                case 'f':
                    b.append('\f');
                    break;
                case 'u':
                    try {
                        b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    } catch (RuntimeException malformed) {
                        b.append("\\u");
                    }
                    break;
                default:
                    b.append(n);
            }
        }
        return b.toString();
    }
}
