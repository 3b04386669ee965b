package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import io.jinit.testcontainers.ServiceStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.jinit.it.It.Proc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed scenario: an image FROM jinit/baseimage ({@code -Djinit.baseimage.image}) as one FROM
 * phusion/baseimage-docker is written (src/test/docker/seed: the shipped startup scripts, runit
 * services cron and syslog-ng, sshd disabled by its down file), booted with its
 * CMD ["/sbin/my_init"], then {@code docker stop -t 10}. The image adds only a runit
 * {@code finish} script per service that records how its {@code run} ended. jinit/base itself
 * has none of these services (it stays minimal).
 */
class SeedImageIT {

    @Test
    void bootsLikePhusionAndStopsEveryServiceOnDockerStop() {
        try (MyInitContainer c = It.myInit(It.image("seed"))) {
            c.start();

            // process tree: my_init (the JVM) is PID 1, runsvdir its child, one runsv per service
            List<Proc> ps = It.ps(c);
            Proc pid1 = ps.stream().filter(p -> p.pid() == 1).findFirst().orElseThrow();
            assertThat(pid1.comm()).as("PID 1 of %s", ps).isEqualTo("my_init");
            assertThat(pid1.args()).as("PID 1 is jinit's my_init").startsWith("/sbin/my_init");
            List<Proc> runsvdirs = ps.stream().filter(p -> p.comm().equals("runsvdir")).toList();
            assertThat(runsvdirs).as("runsvdir in %s", ps).hasSize(1);
            Proc runsvdir = runsvdirs.getFirst();
            assertThat(runsvdir.ppid()).as("runsvdir's parent").isEqualTo(1);
            assertThat(runsvdir.args()).as("runsvdir's command line").matches("(\\S*/)?runsvdir -P /etc/service");
            Map<String, Integer> runsvParents = ps.stream().filter(p -> p.comm().equals("runsv"))
                    .collect(Collectors.toMap(p -> p.args().replaceFirst("^runsv ", ""), Proc::ppid));
            assertThat(runsvParents).as("one runsv per service, children of runsvdir")
                    .containsOnlyKeys("cron", "sshd", "syslog-ng")
                    .allSatisfy((name, ppid) -> assertThat(ppid).isEqualTo(runsvdir.pid()));
            assertThat(ps).as("cron and syslog-ng run").extracting(Proc::comm).contains("cron", "syslog-ng");
            assertThat(ps).as("sshd is disabled").extracting(Proc::comm).doesNotContain("sshd");

            // runit's view through the helper: cron and syslog-ng up, sshd supervised and down
            List<ServiceStatus> services = c.services();
            assertThat(services).extracting(ServiceStatus::name).containsExactly("cron", "sshd", "syslog-ng");
            assertThat(services).allMatch(ServiceStatus::isSettled, "settled");
            assertThat(services.get(0).state()).isEqualTo(ServiceStatus.State.RUN);
            assertThat(services.get(1).state()).isEqualTo(ServiceStatus.State.DOWN);
            assertThat(services.get(1).normallyUp()).isFalse();
            assertThat(services.get(2).state()).isEqualTo(ServiceStatus.State.RUN);
            assertThat(services.get(0).pid()).isPresent();

            // the startup scripts ran, in order, before runit
            String boot = It.logs(c).stderrText();
            assertThat(boot.lines().toList()).as("my_init's log:\n%s", boot).containsSubsequence(
                    "*** Running /etc/my_init.d/00_regen_ssh_host_keys.sh...",
                    "*** Running /etc/my_init.d/10_syslog-ng.init...",
                    "*** Booting runit daemon...");

            long t0 = System.nanoTime();
            int status = c.stopGracefully(Duration.ofSeconds(10));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            String stderr = It.logs(c).stderrText();
            System.out.println("SeedImageIT: docker stop -t 10 took " + took.toMillis() + " ms, status " + status);
            assertThat(status).as("exit status after docker stop; stderr:\n%s", stderr).isEqualTo(2);
            assertThat(took).as("docker stop -t 10 took").isLessThan(Duration.ofSeconds(6));
            assertThat(stderr.lines().toList()).containsSubsequence(
                    "*** Running /etc/my_init.post_shutdown.d/10_syslog-ng.shutdown...",
                    "10_syslog-ng.shutdown: syslog-ng has stopped; its log files are complete",
                    "*** Init system aborted.");
            assertThat(stderr).doesNotContain("did not shut down in time").doesNotContain("Forcing");
            // every running service ended by runsv's TERM (cron dies of it, syslog-ng exits 0
            // after writing its last words), none by KILL, and each exactly once
            assertThat(It.readText(c, "/var/log/markers/cron")).isEqualTo("exit=-1 signal=15\n");
            assertThat(It.readText(c, "/var/log/markers/syslog-ng")).isEqualTo("exit=0 signal=0\n");
            assertThat(It.readText(c, "/var/log/syslog")).contains("syslog-ng shutting down");
            assertThat(It.readFile(c, "/var/log/markers/sshd")).as("sshd never started").isNull();
        }
    }
}
