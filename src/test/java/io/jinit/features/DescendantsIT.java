package io.jinit.features;

import io.jinit.features.Init.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --wait-for-descendants[=TIMEOUT]} lets the main command's daemons
 * finish before the shutdown's kill-all, within a bound. As PID 1 of a PID namespace, so whatever
 * the init leaves is killed when the namespace ends and cannot write its marker late.
 */
@Timeout(240)
class DescendantsIT {
    @TempDir
    Path root;

    /** A main command that forks a daemon which writes {@code daemon.done} after {@code seconds}, and exits 0. */
    private static String[] mainWithDaemon(String seconds, String... options) {
        String[] out = new String[options.length + 5];
        System.arraycopy(options, 0, out, 0, options.length);
        System.arraycopy(new String[] {"--skip-runit", "--", "sh", "-c",
                "(sleep " + seconds + "; touch $M/daemon.done) & exit 0"}, 0, out, options.length, 5);
        return out;
    }

    @Test
    void aDaemonThatOutlivesTheMainCommandFinishesBeforeKillAll() throws Exception {
        Result r = Init.in(root).asPid1().args(mainWithDaemon("1", "--wait-for-descendants=30")).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(root.resolve("daemon.done")).as(r.describe()).exists();
        assertThat(r.stderr()).doesNotContain("descendants still run");
    }

    /**
     * Without the option, the kill-all ends the daemon: it gets the init's TERM (its trap writes
     * {@code daemon.term}) before it could finish, and the init logs the kill-all. The daemon's
     * marker is written by the daemon itself, so a namespace teardown (SIGKILL, no trap runs)
     * could not write it: an init that skipped the kill-all fails here.
     */
    @Test
    void withoutTheOptionKillAllEndsTheDaemon() throws Exception {
        Result r = Init.in(root).asPid1().args("--skip-runit", "--", "sh", "-c",
                "(trap 'touch $M/daemon.term; exit 0' TERM; echo > $M/daemon.ready; sleep 5 & wait; touch $M/daemon.done) &"
                        + " until [ -e $M/daemon.ready ]; do sleep 0.05; done; exit 0").run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(r.stderrLines()).as(r.describe()).contains("*** Killing all processes...");
        assertThat(root.resolve("daemon.term")).as("the daemon got the kill-all's TERM\n" + r.describe()).exists();
        assertThat(root.resolve("daemon.done")).as(r.describe()).doesNotExist();
        assertThat(r.elapsed()).as(r.describe()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theWaitIsBoundedWhenADaemonNeverEnds() throws Exception {
        Result r = Init.in(root).asPid1().env("MY_INIT_WAIT_FOR_DESCENDANTS", "3").args(mainWithDaemon("1000")).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(0);
        assertThat(r.stderrLines()).as(r.describe())
                .anyMatch(l -> l.matches("\\*\\*\\* \\d+ descendants still run after 3000 ms; going on with the shutdown\\."))
                .contains("*** Killing all processes...");
        assertThat(r.elapsed()).as(r.describe()).isGreaterThanOrEqualTo(Duration.ofSeconds(3)).isLessThan(Duration.ofSeconds(40));
        assertThat(root.resolve("daemon.done")).doesNotExist();
    }
}
