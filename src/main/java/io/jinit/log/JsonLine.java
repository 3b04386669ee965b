package io.jinit.log;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Renders one event as a single-line JSON object (jackson-jr); loaded only in JSON mode. */
final class JsonLine {
    private JsonLine() {}

    static String render(Map<String, Object> event) {
        try {
            return JSON.std.asString(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render log event as JSON", e);
        }
    }
}
