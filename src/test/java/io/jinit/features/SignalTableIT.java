package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.jinit.features.Fixtures.trappingMain;
import static io.jinit.features.Fixtures.withMain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README "Signals" on a real init: the signals beyond the classic ones (PWR, XCPU, ..., the
 * real-time signals, SIGRTMIN+3 = 37 among them) are forwarded like HUP, also when the init is not
 * PID 1 (where a signal it does not block would kill it with 128+S and leave the main command
 * running); and every thread of the init blocks every signal of the table's read rows, compared
 * with a literal mask written here.
 */
@Timeout(240)
class SignalTableIT {
    /** Signals 1..64 the init reads from its signalfd: all but ILL 4, BUS 7, FPE 8, KILL 9, SEGV 11, STOP 19, 32, 33, 60 (the four faults come relayed through 63). */
    private static final long READ_MASK = 0xf7ff_fffe_7ffb_fa37L;
    /** Forwarded signals the 0.2 launcher did not block, by the names or numbers {@code trap} and {@code kill -s} take (dash knows no STKFLT: 16). */
    private static final List<String> BEYOND_THE_CLASSIC = List.of("PWR", "XCPU", "VTALRM", "PROF", "IO", "16", "SYS",
            "TRAP", "ABRT", "URG", "XFSZ", "34", "37", "50", "59", "61", "64");

    @TempDir
    Path root;

    @Test
    void signalsBeyondTheClassicOnesAreForwardedWhenNotPid1() throws Exception {
        List<String> main = trappingMain(root, BEYOND_THE_CLASSIC);
        try (Running init = Init.in(root).args(withMain(main, "--skip-runit")).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            // all at once: a signal the init does not read would kill it (not PID 1) before the rest
            for (String s : BEYOND_THE_CLASSIC) init.signal(s);
            Shell.await("every signal trapped by the main command and its child", Fixtures.SOON,
                    () -> Shell.lines(root.resolve("main.got")).containsAll(BEYOND_THE_CLASSIC)
                            && Shell.lines(root.resolve("child.got")).containsAll(BEYOND_THE_CLASSIC));
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
            assertThat(Shell.lines(root.resolve("main.got"))).as(r.describe())
                    .containsExactlyInAnyOrderElementsOf(BEYOND_THE_CLASSIC);
        }
    }

    @Test
    void everyThreadOfTheInitBlocksEverySignalItReads() throws Exception {
        Result r = Init.in(root).asPid1().args("--skip-runit", "--", "sh", "-c",
                "grep -h SigBlk /proc/1/task/*/status > $M/blocked; tr '\\0' ' ' < /proc/1/cmdline > $M/cmdline").run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(Files.readString(root.resolve("cmdline"))).as("the launcher blocked enough: the JVM did not re-execute "
                + "itself to block the rest").doesNotContain("-Djinit.signalfd");
        List<String> lines = Shell.lines(root.resolve("blocked"));
        assertThat(lines).as("one line per thread").hasSizeGreaterThan(3);
        for (String line : lines) {
            long blocked = Long.parseUnsignedLong(line.substring("SigBlk:".length()).strip(), 16);
            assertThat(Long.toHexString(blocked & READ_MASK)).as(line).isEqualTo(Long.toHexString(READ_MASK));
        }
    }
}
