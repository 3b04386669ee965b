package io.jinit.features;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * TTY job control. The init runs on a real pseudo-terminal (a Python
 * {@code pty.fork} driver, as {@code docker run -t} gives one): the main command leads its own
 * process group and is the terminal's foreground group, so an interactive shell has job control,
 * Ctrl-C reaches only the foreground job, and the init ignores TTOU/TTIN so it is never stopped.
 *
 * <p>The quick-run loop runs {@value #DEFAULT_RUNS} times by default (each run is a JVM start);
 * {@code -Djinit.ttyRuns=200} runs the 200 of the issue.
 */
@Timeout(900)
class TtyIT {
    static final int DEFAULT_RUNS = 25;
    private static final Pattern JOB = Pattern.compile("JOB (\\d+) (\\d+) (\\d+)");

    @TempDir
    static Path shared;
    @TempDir
    Path root;

    private static Path driver;

    @BeforeAll
    static void copyDriver() throws IOException {
        driver = shared.resolve("pty_driver.py");
        try (InputStream in = TtyIT.class.getResourceAsStream("pty_driver.py")) {
            if (in == null) fail("pty_driver.py is not on the test classpath");
            Files.copy(in, driver);
        }
    }

    /** What came out of the terminal, and the status of the command on it. */
    record Pty(String output, Integer status) {
        String describe() {
            return "status " + status + "; terminal output:\n" + output;
        }
    }

    /** Runs {@code init} on a new pty through the driver; {@code driverArgs} go before the {@code --}. */
    private static Pty onPty(Init init, String... driverArgs) throws IOException, InterruptedException {
        List<String> prefix = new ArrayList<>(List.of("python3", driver.toString()));
        prefix.addAll(List.of(driverArgs));
        prefix.add("--");
        return drive(init.processBuilder(prefix));
    }

    private static Pty drive(ProcessBuilder pb) throws IOException, InterruptedException {
        pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8).replace("\r\n", "\n");
        Matcher m = Pattern.compile("PTY-EXIT (\\d+)").matcher(text);
        Integer status = null;
        while (m.find()) status = Integer.parseInt(m.group(1));
        if (text.contains("PTY-TIMEOUT")) fail("the command on the pty did not end in time:\n" + text);
        return new Pty(text, status);
    }

    private static void assertForegroundJob(Pty pty) {
        Matcher m = JOB.matcher(pty.output());
        assertThat(m.find()).as(pty.describe()).isTrue();
        assertThat(m.group(1)).as("the main command leads its process group; " + pty.describe()).isEqualTo(m.group(3));
        assertThat(m.group(2)).as("its group is the terminal's foreground group; " + pty.describe()).isEqualTo(m.group(1));
    }

    /** Prints "JOB <pgid> <tpgid> <pid>" of the shell that runs it. */
    private static final String PRINT_JOB = "set -- $(ps -o pgid=,tpgid= -p $$); echo \"JOB $1 $2 $$\"";

    @ParameterizedTest(name = "PID 1: {0}")
    @ValueSource(booleans = {false, true})
    void theMainCommandIsTheTerminalsForegroundProcessGroup(boolean pid1) throws Exception {
        Init init = Init.in(root).args("--skip-runit", "--", "sh", "-c", PRINT_JOB + "; grep SigIgn /proc/$$/status");
        if (pid1) init.asPid1();
        Pty pty = onPty(init);
        assertThat(pty.status()).as(pty.describe()).isEqualTo(0);
        assertForegroundJob(pty);
        // the init ignores TTIN/TTOU; its children get every signal back at its default
        assertThat(pty.output()).as(pty.describe()).contains("SigIgn:\t0000000000000000");
    }

    @ParameterizedTest(name = "PID 1: {0}")
    @ValueSource(booleans = {false, true})
    void anInteractiveBashHasJobControl(boolean pid1) throws Exception {
        Init init = Init.in(root).args("--skip-runit", "--", "bash", "--norc", "--noprofile", "-i", "-c",
                PRINT_JOB + "; case $- in *m*) echo MONITOR-ON;; esac");
        if (pid1) init.asPid1();
        Pty pty = onPty(init);
        assertThat(pty.status()).as(pty.describe()).isEqualTo(0);
        assertForegroundJob(pty);
        assertThat(pty.output()).as(pty.describe()).contains("MONITOR-ON")
                .doesNotContain("cannot set terminal process group").doesNotContain("no job control");
    }

    @Test
    void ctrlCReachesOnlyTheForegroundJob() throws Exception {
        Init init = Init.in(root).args("--skip-runit", "--", "sh", "-c", "echo RE''ADY; exec sleep 100");
        Pty pty = onPty(init, "--after", "READY", "0.5", "\\x03");
        assertThat(pty.output()).as(pty.describe()).contains("*** sh was killed by signal SIGINT (2).")
                .doesNotContain("Init system aborted.");
        assertThat(pty.status()).as(pty.describe()).isEqualTo(130);
    }

    @Test
    void ctrlZStopsTheForegroundJobOfAnInteractiveShellOnly() throws Exception {
        Init init = Init.in(root).env("KILL_ALL_PROCESSES_TIMEOUT", "5").args("--skip-runit", "--", "bash", "--norc",
                "--noprofile", "-i", "-c", "echo RE''ADY; sleep 100; echo \"SLEEP-STATUS=$?\"; kill %1");
        Pty pty = onPty(init, "--after", "READY", "1", "\\x1a");
        assertThat(pty.output()).as(pty.describe()).contains("Stopped").contains("SLEEP-STATUS=148");
        assertThat(pty.status()).as(pty.describe()).isEqualTo(0);
    }

    @Test
    void theInitIsNeverStoppedWhenItWritesToTheTerminalInTheBackground() throws Exception {
        // An interactive bash runs the init as a foreground job: the init's process group is then not
        // orphaned, so a write from the background with "tostop" set would stop it, unless TTOU is
        // blocked (it is, from the launcher's exec on).
        Init init = Init.in(root).args("--skip-runit", "--", "sh", "-c", "stty tostop; exit 0");
        StringBuilder line = new StringBuilder();
        for (String arg : init.commandLine()) line.append('\'').append(arg.replace("'", "'\"'\"'")).append("' ");
        ProcessBuilder pb = init.processBuilder(List.of());
        pb.command(List.of("python3", driver.toString(), "--timeout", "60", "--", "bash", "--norc", "--noprofile", "-i",
                "-c", line + "; echo \"INIT-RC=$?\"; stty -tostop"));
        Pty pty = drive(pb);
        assertThat(pty.output()).as(pty.describe()).contains("*** sh exited with status 0.").contains("INIT-RC=0")
                .doesNotContain("Stopped");
    }

    @Test
    void manyQuickRunsOnATerminalAllExitZero() throws Exception {
        int runs = Integer.getInteger("jinit.ttyRuns", DEFAULT_RUNS);
        Init init = Init.in(root).args("--skip-runit", "--", "sh", "-c", "exit 0");
        long start = System.nanoTime();
        Pty pty = onPty(init, "--runs", Integer.toString(runs), "--timeout", "60");
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("TtyIT: %d quick runs on a pty in %d ms%n", runs, ms);
        assertThat(pty.output()).as(pty.output()).contains("PTY-RUNS " + runs + " OK " + runs);
    }
}
