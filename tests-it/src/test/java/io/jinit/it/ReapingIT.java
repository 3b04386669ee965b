package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.jinit.it.It.Proc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reaping: the main command double-forks 1000 orphans (re-parented to PID 1); while the container
 * runs, none of them stays a zombie.
 */
class ReapingIT {

    @Test
    void thousandOrphansLeaveNoZombie() {
        try (MyInitContainer c = It.myInit(It.image("tools")).withMyInitCommand("--", "orphans", "1000")) {
            c.start();
            It.await(Duration.ofSeconds(150), "1000 orphans made", () -> It.exists(c, "/tmp/orphans.done"));
            assertThat(It.ps(c)).as("the last orphan (sleep 3) was re-parented to PID 1")
                    .anyMatch(p -> p.args().equals("/bin/sleep 3") && p.ppid() == 1);

            // the last orphans exit within about a second; a reaping init leaves no Z behind
            AtomicReference<List<Proc>> last = new AtomicReference<>(List.of());
            try {
                It.await(Duration.ofSeconds(15), "no zombie and no orphan left", () -> {
                    last.set(It.ps(c));
                    return last.get().stream().noneMatch(p -> p.stat().startsWith("Z") || p.args().startsWith("/bin/sleep "));
                });
            } catch (AssertionError e) {
                List<Proc> zombies = last.get().stream().filter(p -> p.stat().startsWith("Z")).toList();
                throw new AssertionError(zombies.size() + " zombies, e.g. " + zombies.stream().limit(5).toList()
                        + "; " + last.get().size() + " processes", e);
            }
            List<Proc> ps = It.ps(c);
            assertThat(ps).as("ps -eo stat").noneMatch(p -> p.stat().startsWith("Z"));
            assertThat(ps).as("the main command (now `sleep infinity`) still runs, child of PID 1")
                    .anyMatch(p -> p.args().equals("sleep infinity") && p.ppid() == 1);
            assertThat(c.isRunning()).isTrue();
            assertThat(c.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
        }
    }
}
