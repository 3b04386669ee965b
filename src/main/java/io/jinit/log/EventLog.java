package io.jinit.log;

import org.tinylog.Logger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The init's log: events with a level, a name, a human message and fields, rendered as
 * my_init's {@code *** message} lines (the default) or as one JSON object per line. Lines go to
 * stderr through tinylog (configured in {@code tinylog.properties}). Events below the minimum
 * level are dropped before rendering.
 */
public final class EventLog {

    /** Severity, lowest first. {@code --quiet} shows WARN and up, {@code --verbose} DEBUG and up. */
    public enum Level { DEBUG, INFO, WARN, ERROR }

    /** How events are written. */
    public enum Format {
        /** {@code *** message}, as phusion's my_init writes. */
        TEXT,
        /** One JSON object per line: time, level, phase, event, message and the event's fields. */
        JSON
    }

    private final Level minimum;
    private final Format format;
    private final Consumer<String> sink;
    private volatile String phase = "boot";

    /**
     * @param minimum the lowest level written
     * @param format  the rendering
     * @param sink    receives each finished line (without newline)
     */
    public EventLog(Level minimum, Format format, Consumer<String> sink) {
        this.minimum = minimum;
        this.format = format;
        this.sink = sink;
    }

    /** @return a log writing to stderr through tinylog */
    public static EventLog toStderr(Level minimum, Format format) {
        return new EventLog(minimum, format, line -> Logger.info((Object) line));
    }

    /** Sets the phase name recorded with later events (JSON only), e.g. {@code "startup"}. */
    public void phase(String name) {
        this.phase = name;
    }

    /** @return true if events of this level are written */
    public boolean enabled(Level level) {
        return level.compareTo(minimum) >= 0;
    }

    /**
     * Writes one event.
     *
     * @param level   its level
     * @param event   a stable machine name, e.g. {@code "child.exited"}
     * @param message the text line, without the {@code ***} prefix
     * @param fields  alternating names and values, e.g. {@code "pid", 42, "status", 0}
     */
    public void emit(Level level, String event, String message, Object... fields) {
        if (!enabled(level)) return;
        if (format == Format.TEXT) {
            sink.accept("*** " + message);
            return;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("time", Instant.now().toString());
        json.put("level", level.name().toLowerCase(java.util.Locale.ROOT));
        json.put("phase", phase);
        json.put("event", event);
        json.put("message", message.strip());
        for (int i = 0; i + 1 < fields.length; i += 2) json.put(String.valueOf(fields[i]), fields[i + 1]);
        sink.accept(JsonLine.render(json));
    }

    /** Writes a debug event (shown with {@code --verbose}). */
    public void debug(String event, String message, Object... fields) {
        emit(Level.DEBUG, event, message, fields);
    }

    /** Writes an info event (hidden by {@code --quiet}). */
    public void info(String event, String message, Object... fields) {
        emit(Level.INFO, event, message, fields);
    }

    /** Writes a warning. */
    public void warn(String event, String message, Object... fields) {
        emit(Level.WARN, event, message, fields);
    }

    /** Writes an error. */
    public void error(String event, String message, Object... fields) {
        emit(Level.ERROR, event, message, fields);
    }
}
