package io.jinit.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No signal goes to a reaped PID, with the race window forced open and the
 * exited child's PID offered to the next spawn through {@code ns_last_pid} ({@link ReaperRaceMain},
 * PID 1 of a new PID namespace). Also prints the counts for the reliability report.
 */
@Timeout(300)
class ReaperRaceTest {
    static final int ROUNDS = Integer.getInteger("jinit.reaper.race.rounds", 1000);

    @Test
    void noSignalReachesAProcessThatReusedAReapedChildsPid() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of("unshare", "-p", "-f", "--mount-proc",
                // as the launcher does: SIGCHLD blocked from the exec on, read by the loop's signalfd
                "env", "--block-signal=CHLD", java,
                "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ReaperRaceMain.class.getName(), Integer.toString(ROUNDS)))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as(out).isTrue();
        System.out.print(out);
        Matcher m = Pattern.compile("RACE rounds=(\\d+) windows=(\\d+) reused=(\\d+) sent=(\\d+) hits=(\\d+) lost=(\\d+)").matcher(out);
        assertThat(m.find()).as("the race program's summary line in: %s", out).isTrue();
        int windows = Integer.parseInt(m.group(2));
        int hits = Integer.parseInt(m.group(5)) + Integer.parseInt(m.group(6));
        System.out.printf("RELIABILITY|reaper race: signal while the exit is recorded, PID offered to the next spawn"
                + "|%d rounds|%s|%d windows forced, %d PIDs reused, %d signals sent, %d victims hit or exits lost%n",
                ROUNDS, hits == 0 && p.exitValue() == 0 ? "pass" : "FAIL", windows, Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), hits);
        assertThat(hits).as("victims (a process that took an exited child's PID) killed by its USR1: " + out).isZero();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(windows).as("rounds whose window was forced open").isGreaterThanOrEqualTo(ROUNDS * 9 / 10);
    }
}
