package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import io.jinit.testcontainers.ServiceStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jinit/baseimage as it ships: sshd disabled, no host keys in the image, the
 * insecure key through {@code my_init --enable-insecure-key}, and the build arguments
 * DISABLE_SYSLOG / DISABLE_CRON / DISABLE_SSH (built from the context that images/build.sh
 * stages, {@code -Djinit.baseimage.context}).
 */
class BaseImageDefaultsIT {

    private static final String BASEIMAGE = BaseImageIT.BASEIMAGE;
    private static final Path CONTEXT = Path.of(System.getProperty("jinit.baseimage.context",
            "../target/docker-context-baseimage"));

    @Test
    void sshdIsDisabledAndTheInsecureKeyIsInstalledOnRequestAndLogsIn() {
        It.requireDocker();
        It.CommandResult image = It.run(List.of("docker", "run", "--rm", "--pull", "never", "--network", "none",
                BASEIMAGE, "sh", "-c", "ls /etc/ssh/ssh_host_* 2>/dev/null | wc -l; stat -c %a /root/.ssh; "
                        + "test -e /root/.ssh/authorized_keys && echo has-keys || echo no-keys; "
                        // as a Dockerfile's RUN would: nothing while sshd is disabled, unless -f
                        + "/etc/my_init.d/00_regen_ssh_host_keys.sh; ls /etc/ssh/ssh_host_* 2>/dev/null | wc -l; "
                        + "/etc/my_init.d/00_regen_ssh_host_keys.sh -f >/dev/null 2>&1; ls /etc/ssh/ssh_host_*_key | wc -l"),
                Map.of(), Duration.ofSeconds(60));
        assertThat(image.output()).as("the image: no host keys, /root/.ssh 0700, nothing authorized; "
                        + "00_regen_ssh_host_keys.sh makes none while sshd is down, -f makes the three")
                .isEqualTo("0\n700\nno-keys\n0\n3\n");

        try (MyInitContainer c = It.myInit(BASEIMAGE).withMyInitCommand("--enable-insecure-key")) {
            c.start();
            String stderr = It.logs(c).stderrText();
            assertThat(stderr.lines().toList()).containsSubsequence(
                    "*** Installing insecure SSH key for user root",
                    "enable_insecure_key: INSECURE key authorized for root in /root/.ssh/authorized_keys (its private half is public)",
                    "enable_insecure_key: note: sshd is disabled; enable it with: rm -f /etc/service/sshd/down",
                    "*** Running /etc/my_init.d/00_regen_ssh_host_keys.sh...");
            // sshd is disabled: no host keys, so no seconds of ssh-keygen at every boot (issue 20)
            assertThat(stderr).doesNotContain("making the missing SSH host keys");

            List<ServiceStatus> services = c.services();
            assertThat(services).extracting(ServiceStatus::name).containsExactly("cron", "sshd", "syslog-ng");
            assertThat(services.get(1).state()).isEqualTo(ServiceStatus.State.DOWN);
            assertThat(services.get(1).normallyUp()).isFalse();
            assertThat(It.exec(c, "sh", "-c", "ls /etc/ssh/ssh_host_* 2>/dev/null | wc -l")).as("no host keys made at boot")
                    .isEqualTo("0\n");
            assertThat(It.exec(c, "stat", "-c", "%a", "/root/.ssh", "/root/.ssh/authorized_keys")).isEqualTo("700\n600\n");
            assertThat(It.readText(c, "/root/.ssh/authorized_keys")).isEqualTo(It.readText(c, "/etc/insecure_key.pub"));
            // running it again adds nothing
            It.exec(c, "enable_insecure_key");
            assertThat(It.readText(c, "/root/.ssh/authorized_keys").lines()).hasSize(1);

            // enable sshd by hand (its run script makes the missing host keys) and log in with the
            // insecure private key
            It.exec(c, "sv", "up", "/etc/service/sshd");
            It.await(Duration.ofSeconds(20), "sshd to listen", () -> ssh(c, "true").startsWith("0 "));
            assertThat(It.exec(c, "sh", "-c", "ls /etc/ssh/ssh_host_*_key | wc -l")).as("keys made by sshd's run")
                    .isEqualTo("3\n");
            assertThat(ssh(c, "id -un")).isEqualTo("0 root\n");

            // a syslog-ng outside runit (started by hand): the post-shutdown hook stops it
            It.exec(c, "sh", "-c", """
                    printf '@version: 3.38\\nsource s { internal(); };\\ndestination d { file("/var/log/by-hand.log"); };\\nlog { source(s); destination(d); };\\n' > /tmp/by-hand.conf
                    syslog-ng --no-caps -f /tmp/by-hand.conf -p /run/by-hand.pid -c /run/by-hand.ctl -R /tmp/by-hand.persist
                    """);
            String byHand = It.readText(c, "/run/by-hand.pid").strip();
            assertThat(byHand).as("pid of the syslog-ng started by hand").matches("\\d+");

            assertThat(c.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
            String stopLog = It.logs(c).stderrText();
            assertThat(stopLog.lines().toList()).containsSubsequence(
                    "*** Running /etc/my_init.post_shutdown.d/10_syslog-ng.shutdown...",
                    "10_syslog-ng.shutdown: syslog-ng has stopped",
                    "*** Killing all processes...");
            // a daemonized syslog-ng is two processes: its supervisor and the one in the pid file
            assertThat(stopLog).containsPattern("\\n10_syslog-ng\\.shutdown: syslog-ng still runs \\(PID ([0-9]+ )*"
                    + byHand + "( [0-9]+)*\\); sending TERM\\n");
            assertThat(It.readText(c, "/var/log/by-hand.log")).as("it ended by TERM, not by kill-all's KILL")
                    .contains("syslog-ng shutting down");
        }
    }

    /** ssh with /etc/insecure_key to root@127.0.0.1: "STATUS OUTPUT". */
    private static String ssh(MyInitContainer c, String command) {
        try {
            var r = c.execInContainer("ssh", "-i", "/etc/insecure_key", "-o", "BatchMode=yes",
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                    "root@127.0.0.1", command);
            return r.getExitCode() + " " + r.getStdout();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void buildArgumentsLeaveServicesOut() {
        It.requireDocker();
        String sshCron = build("DISABLE_SSH=1", "DISABLE_CRON=1");
        // and SYSLOG_NG_STDOUT=0: syslog lines in /var/log/syslog only, not on the container's stdout
        try (MyInitContainer c = It.myInit(sshCron).withEnv("SYSLOG_NG_STDOUT", "0")) {
            c.start();
            String token = "not-on-stdout-" + System.nanoTime();
            It.exec(c, "logger", "-t", "it-logger", token);
            It.await(Duration.ofSeconds(10), token + " in /var/log/syslog",
                    () -> It.readText(c, "/var/log/syslog").contains("it-logger: " + token));
            assertThat(It.logs(c).stdoutText()).doesNotContain(token).doesNotContain("syslog-ng starting up");
            assertThat(c.services()).extracting(s -> s.name() + " " + s.state()).containsExactly("syslog-ng RUN");
            assertThat(It.exec(c, "sh", "-c", "for c in sshd cron logrotate syslog-ng; do "
                    + "command -v $c >/dev/null && echo $c; done; ls /etc/my_init.d"))
                    .as("programs and startup scripts left").isEqualTo("syslog-ng\n10_syslog-ng.init\n");
            assertThat(c.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
        }
        String noSyslog = build("DISABLE_SYSLOG=1");
        try (MyInitContainer c = It.myInit(noSyslog)) {
            c.start();
            assertThat(c.services()).extracting(s -> s.name() + " " + s.state()).containsExactly("cron RUN", "sshd DOWN");
            assertThat(It.exec(c, "sh", "-c", "for c in rsyslogd syslog-ng cron logrotate sshd; do "
                    + "command -v $c >/dev/null && echo $c; done; ls /etc/my_init.d /etc/my_init.post_shutdown.d"))
                    .isEqualTo("cron\nlogrotate\nsshd\n/etc/my_init.d:\n00_regen_ssh_host_keys.sh\n\n/etc/my_init.post_shutdown.d:\n");
            assertThat(c.stopGracefully(Duration.ofSeconds(10))).isEqualTo(2);
        }
    }

    /** Builds the staged baseimage context FROM the base under test with the build arguments. */
    private static String build(String... args) {
        if (!Files.isRegularFile(CONTEXT.resolve("Dockerfile"))) {
            throw new AssertionError("no baseimage build context at " + CONTEXT.toAbsolutePath()
                    + ": run `bash images/build.sh` (it stages target/docker-context-baseimage)");
        }
        String tag = "jinit-it/baseimage-" + String.join("-", args).toLowerCase().replaceAll("[^a-z0-9-]", "")
                + ":" + BaseImageIT.tagSuffix(It.BASE);
        List<String> cmd = new java.util.ArrayList<>(List.of("docker", "build", "--network=none",
                "--build-arg", "BASE_IMAGE=" + It.BASE));
        for (String a : args) {
            cmd.add("--build-arg");
            cmd.add(a);
        }
        cmd.addAll(List.of("-t", tag, CONTEXT.toString()));
        It.CommandResult r = It.run(cmd, Map.of("DOCKER_BUILDKIT", "0"), Duration.ofMinutes(5));
        if (r.status() != 0) {
            throw new AssertionError("building " + tag + " failed (" + r.status() + "):\n" + r.output());
        }
        return tag;
    }
}
