package io.jinit.it;

import com.fasterxml.jackson.jr.ob.JSON;
import io.jinit.testcontainers.ContainerEnvironmentFiles;
import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Environment: `-e` values with every kind of awkward character reach the main command
 * unchanged, are in /etc/container_environment/ and its .json, and sourcing the .sh in sh (dash)
 * and bash gives each value back byte for byte; HOME stays set after a startup script ran;
 * the files have the contract's modes.
 */
class EnvironmentIT {

    static final Map<String, String> VALUES = values();

    private static Map<String, String> values() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("V_SPACES", "  leading, inner   and trailing  ");
        v.put("V_QUOTES", "single ' double \" both '\"' and '\\'' end");
        v.put("V_DOLLAR", "$HOME ${HOME} $(id) $$ \\$ $1 end$");
        v.put("V_BACKTICKS", "`id` and `echo pwned`");
        v.put("V_NEWLINES", "line one\nline two\r\n\nline four\tafter a tab");
        v.put("V_NON_ASCII", "grüße – 日本語 – 🚀 – \u00a0non-breaking");
        v.put("V_SHELL_META", "a;b|c&d<e>f(g)h{i}j[k]*?~#!\\ %^");
        v.put("V_EQUALS", "a=b=c");
        v.put("V_SAFE", "only-safe_chars/1.2:3@%+=,");
        v.put("V_EMPTY", "");
        v.put("V_BIG", big());
        return v;
    }

    /** Exactly 6000 bytes of UTF-8 with quotes, $, backticks, newlines and non-ASCII in it. */
    static String big() {
        String pattern = "ab'c\"d$e`f\\g\nh é ü 日 ";
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        int i = 0;
        while (bytes < 6000) {
            String ch = String.valueOf(pattern.charAt(i++ % pattern.length()));
            int n = ch.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > 6000) {
                ch = "x";
                n = 1;
            }
            sb.append(ch);
            bytes += n;
        }
        return sb.toString();
    }

    @Test
    void valuesSurviveEveryRouteByteForByte() throws Exception {
        assertThat(VALUES.get("V_BIG").getBytes(StandardCharsets.UTF_8)).hasSize(6000);
        List<String> names = new ArrayList<>(VALUES.keySet());
        List<String> captured = new ArrayList<>(names);
        captured.add("HOME");
        captured.add("FROM_STARTUP");
        List<String> cmd = new ArrayList<>(List.of("--", "/usr/local/bin/env-main"));
        cmd.addAll(captured);

        MyInitContainer c = It.myInit(It.image("env")).withMyInitCommand(cmd.toArray(String[]::new));
        VALUES.forEach(c::withEnv);
        try (c) {
            c.start();
            It.await(Duration.ofSeconds(30), "the main command's capture", () -> It.exists(c, "/tmp/capture/main.done"));

            // 1. the main command got each value unchanged, HOME too, and the startup script's variable
            Map<String, String> main = captured(c, "/tmp/capture/main");
            assertThat(It.readText(c, "/tmp/capture/main/.unset")).as("unset in the main command").isEmpty();
            VALUES.forEach((k, v) -> assertThat(main.get(k)).as("main command's %s", k).isEqualTo(v));
            assertThat(main.get("HOME")).as("HOME after a startup script ran").isEqualTo("/root");
            assertThat(main.get("FROM_STARTUP")).isEqualTo("set by a startup script");

            // 2. the directory, the .json and the modes
            ContainerEnvironmentFiles env = c.containerEnvironment();
            assertThat(env.directoryMode()).as("directory mode").hasValue(0700);
            assertThat(env.shellScript()).as(".sh").isPresent();
            assertThat(env.json()).as(".json").isPresent();
            assertThat(env.shellScript().get().mode()).as(".sh mode").isEqualTo(0640);
            assertThat(env.json().get().mode()).as(".json mode").isEqualTo(0640);
            assertThat(It.exec(c, "stat", "-c", "%n %G", "/etc/container_environment.sh", "/etc/container_environment.json"))
                    .as("group docker_env (it exists in jinit/base)")
                    .isEqualTo("/etc/container_environment.sh docker_env\n/etc/container_environment.json docker_env\n");
            VALUES.forEach((k, v) -> assertThat(env.variables().get(k)).as("directory file %s", k)
                    .isEqualTo(v.getBytes(StandardCharsets.UTF_8)));
            assertThat(env.variables()).as("HOME is never written to the directory").doesNotContainKey("HOME");

            byte[] jsonBytes = env.json().get().content();
            for (byte b : jsonBytes) {
                assertThat(b & 0xff).as(".json is ASCII (non-ASCII as \\uXXXX)").isLessThan(0x80);
            }
            Map<String, Object> json = JSON.std.mapFrom(new String(jsonBytes, StandardCharsets.UTF_8));
            VALUES.forEach((k, v) -> assertThat(json.get(k)).as(".json %s", k).isEqualTo(v));
            assertThat(json.get("HOME")).as(".json keeps HOME").isEqualTo("/root");
            assertThat(json.get("FROM_STARTUP")).isEqualTo("set by a startup script");

            // 3. sourcing the .sh in an empty environment gives every value back, in dash and in bash
            for (String shell : List.of("sh", "bash")) {
                String dir = "/tmp/capture/" + shell;
                List<String> source = new ArrayList<>(List.of("env", "-i", shell, "-c",
                        ". /etc/container_environment.sh && exec /usr/local/bin/capture \"$@\"", shell, dir));
                source.addAll(names);
                source.add("FROM_STARTUP");
                It.exec(c, source.toArray(String[]::new));
                Map<String, String> got = captured(c, dir);
                assertThat(It.readText(c, dir + "/.unset")).as("unset after sourcing in %s", shell).isEmpty();
                VALUES.forEach((k, v) -> assertThat(got.get(k)).as("%s after sourcing the .sh in %s", k, shell).isEqualTo(v));
                assertThat(got.get("FROM_STARTUP")).isEqualTo("set by a startup script");
            }

            assertThat(c.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
        }
    }

    /** The files `capture` wrote into DIR: name → value (bytes must be valid UTF-8 here). */
    private static Map<String, String> captured(MyInitContainer c, String dir) {
        Map<String, String> out = new LinkedHashMap<>();
        String prefix = dir.substring(dir.lastIndexOf('/') + 1) + "/";
        It.readTree(c, dir).forEach((name, bytes) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                out.put(name.substring(prefix.length()), new String(bytes, StandardCharsets.UTF_8));
            }
        });
        return out;
    }
}
