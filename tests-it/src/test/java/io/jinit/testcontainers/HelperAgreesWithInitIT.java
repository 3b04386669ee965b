package io.jinit.testcontainers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The helper re-implements two things of the init, and this test ties both to the init itself,
 * so that a new option or a changed message cannot silently break the boot wait:
 * <ul>
 *   <li>the options' arities ({@link MyInitCommandLine}'s value-taking options), against the
 *   synopsis that the init's own option table (picocli, {@code cli/OptionTable}) prints for
 *   {@code my_init --help}: {@code [--name=V]} takes a value, {@code [--name[=V]]} may take one,
 *   {@code [--name]} takes none;</li>
 *   <li>the log texts ({@link InitLog}'s patterns for text lines, its event names for JSON lines),
 *   against the lines the init writes in a real container, in both formats.</li>
 * </ul>
 * Runs the image under test ({@code -Djinit.base.image}) with {@code docker run --network none}.
 */
@Timeout(300)
class HelperAgreesWithInitIT {
    private static final String IMAGE = System.getProperty("jinit.base.image", "jinit/base:latest");
    /** One option in the synopsis: name, then "[=V]" (optional value) or "=V" (value) or nothing. */
    private static final Pattern SYNOPSIS_OPTION = Pattern.compile("\\[(--?[A-Za-z][\\w-]*)(\\[=[^\\]]+\\]|=[^\\]\\s]+)?\\]");

    @Test
    void theHelpersOptionAritiesAreTheInitsOptionTable() {
        Run help = docker(List.of(IMAGE, "/sbin/my_init", "--help"));
        assertThat(help.status()).as(help.output()).isZero();
        StringBuilder synopsis = new StringBuilder();
        for (String line : help.output().lines().toList()) {
            if (line.startsWith("Usage:") || !synopsis.isEmpty() && line.startsWith(" ")) synopsis.append(line).append(' ');
            else if (!synopsis.isEmpty()) break;
        }
        Set<String> withValue = new TreeSet<>();
        Set<String> optionalValue = new TreeSet<>();
        Set<String> flags = new TreeSet<>();
        Matcher m = SYNOPSIS_OPTION.matcher(synopsis);
        while (m.find()) {
            String value = m.group(2);
            (value == null ? flags : value.startsWith("[") ? optionalValue : withValue).add(m.group(1));
        }
        assertThat(flags).as("the synopsis was read: " + synopsis).contains("--skip-runit", "--quiet", "-v");
        assertThat(new TreeSet<>(MyInitCommandLine.WITH_VALUE)).as("options that take the next word as their value")
                .isEqualTo(withValue);
        assertThat(new TreeSet<>(MyInitCommandLine.OPTIONAL_VALUE)).as("options whose value is optional")
                .isEqualTo(optionalValue);
        System.out.println("RELIABILITY|helper agrees with the init: option arities|" + (withValue.size()
                + optionalValue.size() + flags.size()) + " options|pass|from my_init --help");
    }

    @Test
    void theHelpersLogReadingMatchesTheInitsTextAndJsonLines() {
        int events = 0;
        for (boolean json : List.of(false, true)) {
            String format = json ? "--log-format=json" : "--log-format=text";
            InitLog ready = InitLog.parse(init(json, "mkdir -p /etc/service/svc; printf '#!/bin/sh\\nexec sleep 1000\\n' > /etc/service/svc/run; "
                    + "chmod +x /etc/service/svc/run", format, "--wait-for-services=30s", "--", "sh", "-c", "exit 3").stderr(), json);
            assertThat(ready.servicesReady()).as(format + " services ready: " + ready).isPresent();
            assertThat(ready.mainStarted(List.of("sh", "-c", "exit 3"))).as(format + " main started: " + ready).isTrue();
            assertThat(ready.mainExited()).as(format + " main exited: " + ready).isPresent();

            InitLog notReady = InitLog.parse(init(json, "mkdir -p /etc/service/svc; printf '#!/bin/sh\\nexec sleep 1000\\n' > /etc/service/svc/run; "
                    + "printf '#!/bin/sh\\nexit 1\\n' > /etc/service/svc/check; chmod +x /etc/service/svc/run /etc/service/svc/check",
                    format, "--wait-for-services=1s", "--", "true").stderr(), json);
            assertThat(notReady.servicesNotReady()).as(format + " services not ready: " + notReady).isPresent();

            InitLog scriptFailed = InitLog.parse(init(json, "printf '#!/bin/sh\\nexit 5\\n' > /etc/my_init.d/10-fail; chmod +x /etc/my_init.d/10-fail",
                    format, "--skip-runit", "--", "true").stderr(), json);
            assertThat(scriptFailed.scriptFailed()).as(format + " script failed: " + scriptFailed).isPresent();

            InitLog killed = InitLog.parse(init(json, ":", format, "--skip-runit", "--", "sh", "-c", "kill -KILL $$").stderr(), json);
            assertThat(killed.mainExited()).as(format + " main killed: " + killed).isPresent();
            events += 5;
            if (json) {
                InitLog notStarted = InitLog.parse(init(true, ":", format, "--skip-runit", "--", "/no/such").stderr(), true);
                assertThat(notStarted.mainNotStarted()).as("main not started: " + notStarted).isPresent();
                events++;
            }
        }
        System.out.println("RELIABILITY|helper agrees with the init: log texts (text and JSON)|" + events
                + " events|pass|services ready/not ready, main started/exited/killed/not started, script failed");
    }

    /** Runs {@code setup} in sh, then execs the init (PID 1) with {@code args}; returns how it ended. */
    private static Run init(boolean json, String setup, String... args) {
        List<String> cmd = new ArrayList<>(List.of("--entrypoint", "/bin/sh", IMAGE, "-c", setup + "; exec /sbin/my_init \"$@\"", "sh"));
        cmd.addAll(List.of(args));
        Run r = docker(cmd);
        assertThat(r.stderr()).as("the init wrote its log (json " + json + "): " + r.output()).isNotBlank();
        return r;
    }

    record Run(int status, String stdout, String stderr) {
        String output() {
            return "exit " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** {@code docker run --rm --network none --pull never ARGS}, stdout and stderr apart, within 120 s. */
    private static Run docker(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "--network", "none", "--pull", "never"));
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread pump = new Thread(() -> copy(p.getErrorStream(), err));
            pump.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not end within 120 s");
            }
            pump.join();
            return new Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process is gone
        }
    }
}
