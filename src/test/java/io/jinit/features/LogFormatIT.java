package io.jinit.features;

import com.fasterxml.jackson.jr.ob.JSON;
import io.jinit.features.Init.Result;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --log-format=json} writes each event as one JSON object per stderr
 * line (time, level, phase, event, message, fields); text and JSON render the same events.
 */
@Timeout(240)
class LogFormatIT {
    @TempDir
    Path root;

    /** A boot through every phase: a startup script, runit with one service, a main command exiting 3. */
    private Init fullBoot() throws Exception {
        Shell.script(root.resolve("etc/my_init.d/10-hello"), "echo hello from startup");
        Shell.script(root.resolve("etc/service/svc/run"), "exec sleep 1000");
        return Init.in(root).asPid1().args("-v");
    }

    /** Runs 2 s: past the init's page-out 1 s after the start, in every run alike. */
    private static final String[] MAIN = {"--", "sh", "-c", "sleep 2; exit 3"};

    private static List<Map<String, Object>> parse(Result r) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : r.stderrLines()) {
            assertThat(line).as("every stderr line is one JSON object; " + r.describe()).startsWith("{").endsWith("}");
            events.add(JSON.std.mapFrom(line));
        }
        return events;
    }

    private static Map<String, Object> event(List<Map<String, Object>> events, String name) {
        return events.stream().filter(e -> name.equals(e.get("event"))).findFirst()
                .orElseThrow(() -> new AssertionError("no event " + name + " in " + events));
    }

    @Test
    void everyLineIsAJsonEventWithTheFields() throws Exception {
        Result json = fullBoot().args("--log-format=json").args(MAIN).run();
        assertThat(json.exitCode()).as(json.describe()).isEqualTo(3);
        List<Map<String, Object>> events = parse(json);
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e).containsKeys("time", "level", "phase", "event", "message"));
        assertThat(events).allSatisfy(e -> assertThat((String) e.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
        assertThat(events).allSatisfy(e -> assertThat(e.get("level")).isIn("debug", "info", "warn", "error"));

        Map<String, Object> start = event(events, "main.start");
        assertThat(start.get("phase")).isEqualTo("main");
        assertThat(start.get("argv")).isEqualTo(List.of("sh", "-c", "sleep 2; exit 3"));
        Map<String, Object> started = event(events, "main.started");
        assertThat(started.get("pid")).isInstanceOf(Integer.class);
        Map<String, Object> exited = event(events, "main.exited");
        assertThat(exited).containsEntry("status", 3).containsEntry("pid", started.get("pid")).containsEntry("level", "info");
        assertThat(exited.get("message")).isEqualTo("sh exited with status 3.");
        assertThat(((Number) exited.get("duration_ms")).longValue()).as("the main command ran 2 s").isBetween(1_900L, 60_000L);
        assertThat(event(events, "runit.started").get("pid")).isInstanceOf(Integer.class);
        assertThat(event(events, "killall.start").get("phase")).isEqualTo("exit");
    }

    @Test
    void textAndJsonCarryTheSameEvents() throws Exception {
        Result text = fullBoot().args(MAIN).run();
        Result json = fullBoot().env("MY_INIT_LOG_FORMAT", "json").args(MAIN).run();
        assertThat(text.exitCode()).as(text.describe()).isEqualTo(3);
        assertThat(json.exitCode()).as(json.describe()).isEqualTo(3);
        // PIDs and times differ between two runs: compare the messages with digits masked
        List<String> fromText = text.stderrLines().stream()
                .filter(l -> l.startsWith("*** ")).map(l -> mask(l.substring(4))).toList();
        List<String> fromJson = parse(json).stream().map(e -> mask((String) e.get("message"))).toList();
        assertThat(fromJson).as(text.describe() + json.describe()).containsExactlyElementsOf(fromText);
    }

    private static String mask(String message) {
        return message.strip().replaceAll("\\d+", "N");
    }
}
