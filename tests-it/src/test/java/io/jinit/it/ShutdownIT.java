package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.images.builder.Transferable;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown after `docker stop`: a service that ignores TERM is killed after
 * KILL_PROCESS_TIMEOUT; pre-shutdown hooks, the service stop and post-shutdown hooks run in
 * that order; a failing pre hook neither skips the graceful stop nor changes the exit status.
 */
class ShutdownIT {

    record Mark(String what, double at) {
    }

    static List<Mark> marks(MyInitContainer c) {
        return It.readText(c, "/var/log/markers/shutdown").lines().map(l -> {
            int sp = l.lastIndexOf(' ');
            return new Mark(l.substring(0, sp), Double.parseDouble(l.substring(sp + 1)));
        }).toList();
    }

    static double at(List<Mark> marks, String what) {
        return marks.stream().filter(m -> m.what().equals(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + what + "' in " + marks)).at();
    }

    @Test
    void aServiceIgnoringTermIsKilledAfterKillProcessTimeout() {
        try (MyInitContainer c = It.myInit(It.image("shutdown"))
                .withEnv("KILL_PROCESS_TIMEOUT", "3")
                // far above the 3 s: if the service stop did not kill `stubborn`, kill-all would
                // wait this long and the stop would take more than 20 s
                .withEnv("KILL_ALL_PROCESSES_TIMEOUT", "20")) {
            c.start();
            long t0 = System.nanoTime();
            int status = c.stopGracefully(Duration.ofSeconds(40));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String stderr = It.logs(c).stderrText();
            List<Mark> marks = marks(c);

            assertThat(status).as("stderr:\n%s\nmarks %s", stderr, marks).isEqualTo(2);
            double term = at(marks, "service stubborn got TERM");
            double post = at(marks, "post 10_post");
            // the marker is written a little after the TERM arrived (bash runs the trap, forks date),
            // so under load this gap is somewhat below 3 s; without the wait it would be ~0
            assertThat(post - term).as("seconds between stubborn's TERM marker and the post hook (KILL_PROCESS_TIMEOUT=3)")
                    .isGreaterThanOrEqualTo(2.0);
            // exact lower bound: TERM went out after docker stop was asked, KILL at least 3 s later
            assertThat(took).as("docker stop took").isGreaterThanOrEqualTo(Duration.ofMillis(2950))
                    .isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void hooksRunInOrderAndAFailingPreHookDoesNotSkipTheGracefulStop() {
        try (MyInitContainer c = It.myInit(It.image("shutdown"))
                // keep `stubborn` down: this test is about the order, not the timeout
                .withCopyToContainer(Transferable.of(new byte[0]), "/etc/service/stubborn/down")) {
            c.start();
            int status = c.stopGracefully(Duration.ofSeconds(20));
            String stderr = It.logs(c).stderrText();
            List<Mark> marks = marks(c);

            assertThat(marks).extracting(Mark::what).as("stderr:\n%s", stderr).containsExactly(
                    "pre 10_first", "pre 15_fails", "pre 20_last", "service polite got TERM", "post 10_post");
            assertThat(status).as("the failing pre hook does not change the status; stderr:\n%s", stderr).isEqualTo(2);
            assertThat(stderr).contains("15_fails");
        }
    }
}
