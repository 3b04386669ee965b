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
 * The seed scenario: a phusion-like image (startup script, runit services cron and syslog, sshd
 * disabled by a down file) booted with its CMD ["/sbin/my_init"], then `docker stop -t 10`.
 */
class SeedImageIT {

    @Test
    void bootsLikePhusionAndStopsEveryServiceOnDockerStop() {
        try (MyInitContainer c = It.myInit(It.image("seed"))) {
            c.start();

            // process tree: my_init (the JVM) is PID 1, runsvdir its child, one runsv per service
            List<Proc> ps = It.ps(c);
            Proc pid1 = ps.stream().filter(p -> p.pid() == 1).findFirst().orElseThrow();
            assertThat(pid1.comm()).as("PID 1 of %s", ps).isEqualTo("java");
            assertThat(pid1.args()).as("PID 1 is jinit's my_init").contains("io.jinit");
            List<Proc> runsvdirs = ps.stream().filter(p -> p.comm().equals("runsvdir")).toList();
            assertThat(runsvdirs).as("runsvdir in %s", ps).hasSize(1);
            Proc runsvdir = runsvdirs.getFirst();
            assertThat(runsvdir.ppid()).as("runsvdir's parent").isEqualTo(1);
            assertThat(runsvdir.args()).as("runsvdir's command line").matches("(\\S*/)?runsvdir -P /etc/service");
            Map<String, Integer> runsvParents = ps.stream().filter(p -> p.comm().equals("runsv"))
                    .collect(Collectors.toMap(p -> p.args().replaceFirst("^runsv ", ""), Proc::ppid));
            assertThat(runsvParents).as("one runsv per service, children of runsvdir")
                    .containsOnlyKeys("cron", "sshd", "syslog")
                    .allSatisfy((name, ppid) -> assertThat(ppid).isEqualTo(runsvdir.pid()));
            assertThat(ps).as("cron and rsyslogd run").extracting(Proc::comm).contains("cron", "rsyslogd");
            assertThat(ps).as("sshd is disabled").extracting(Proc::comm).doesNotContain("sshd");

            // runit's view through the helper: cron and syslog up, sshd supervised and down
            List<ServiceStatus> services = c.services();
            assertThat(services).extracting(ServiceStatus::name).containsExactly("cron", "sshd", "syslog");
            assertThat(services).allMatch(ServiceStatus::isSettled, "settled");
            assertThat(services.get(0).state()).isEqualTo(ServiceStatus.State.RUN);
            assertThat(services.get(1).state()).isEqualTo(ServiceStatus.State.DOWN);
            assertThat(services.get(1).normallyUp()).isFalse();
            assertThat(services.get(2).state()).isEqualTo(ServiceStatus.State.RUN);
            assertThat(services.get(0).pid()).isPresent();

            assertThat(It.readText(c, "/var/log/markers/startup")).isEqualTo("00_regen_ssh_host_keys.sh ran\n");

            long t0 = System.nanoTime();
            int status = c.stopGracefully(Duration.ofSeconds(10));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            String stderr = It.logs(c).stderrText();
            assertThat(status).as("exit status after docker stop; stderr:\n%s", stderr).isEqualTo(2);
            assertThat(took).as("docker stop -t 10 took").isLessThan(Duration.ofSeconds(6));
            assertThat(stderr).contains("*** Init system aborted.");
            assertThat(It.readText(c, "/var/log/markers/cron")).isEqualTo("cron got TERM\n");
            assertThat(It.readText(c, "/var/log/markers/syslog")).isEqualTo("syslog got TERM\n");
            assertThat(It.readFile(c, "/var/log/markers/sshd")).as("sshd never started").isNull();
        }
    }
}
