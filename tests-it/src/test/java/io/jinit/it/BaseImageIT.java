package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.Container;
import org.testcontainers.images.builder.Transferable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jinit/baseimage through phusion's walkthrough: the Dockerfile of
 * src/test/docker/walkthrough, FROM the image under test ({@code -Djinit.baseimage.image}), built
 * with a key pair made for this run, booted once with its {@code CMD ["/sbin/my_init"]}; then an
 * SSH login over the container's loopback (from {@code docker exec}: the container has no
 * network), syslog, cron, logrotate, setuser, and last {@code docker stop}.
 *
 * <p>Before the boot the test adds what it observes with: two per-minute jobs in /etc/cron.d (the
 * second one gets a second hard link from a startup script, as image layers make them: cron refuses
 * such a file unless the cron service gives it an inode of its own, issue 20), and a runit
 * {@code finish} script in each service that writes how its {@code run} ended
 * (runsv(8): the exit code, -1 when killed, and the signal number) to /var/log/markers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BaseImageIT {

    static final String BASEIMAGE = It.BASEIMAGE;
    private static final Path DOCKER_DIR = Path.of(System.getProperty("jinit.docker.dir", "src/test/docker"));
    private static final String ENV_MARKER = "set by docker run -e";

    /** runsv runs ./finish with ./run's exit code (-1 if it did not exit) and the signal (0 if none). */
    private static final String FINISH = """
            #!/bin/sh
            mkdir -p /var/log/markers
            echo "exit=$1 signal=$2" > "/var/log/markers/${PWD##*/}"
            """;
    private static final String CRON_JOB = "* * * * * root mkdir -p /var/log/markers && echo fired >> /var/log/markers/cron-job\n";
    private static final String LINKED_CRON_JOB =
            "* * * * * root mkdir -p /var/log/markers && echo fired >> /var/log/markers/cron-linked\n";
    /** Runs before runit, so cron's run script finds /etc/cron.d/it-linked with two links. */
    private static final String HARD_LINK = """
            #!/bin/sh
            ln -f /etc/cron.d/it-linked /root/it-linked-second-name
            echo "it-hard-link: $(stat -c %h /etc/cron.d/it-linked) links"
            """;

    record KeyPair(String publicKey, String privateKey) {
    }

    private MyInitContainer c;
    private KeyPair keys;

    @BeforeAll
    void bootTheWalkthrough() {
        It.requireDocker();
        keys = keyPair();
        String image = buildWalkthrough(keys.publicKey());
        c = It.myInit(image)
                .withEnv("WALKTHROUGH_MARKER", ENV_MARKER)
                .withCopyToContainer(Transferable.of(CRON_JOB, 0644), "/etc/cron.d/it-every-minute")
                .withCopyToContainer(Transferable.of(LINKED_CRON_JOB, 0644), "/etc/cron.d/it-linked")
                .withCopyToContainer(Transferable.of(HARD_LINK, 0755), "/etc/my_init.d/05_it_hard_link")
                .withCopyToContainer(Transferable.of(keys.privateKey(), 0600), "/root/it_id_rsa");
        for (String service : List.of("syslog-ng", "cron", "sshd")) {
            c.withCopyToContainer(Transferable.of(FINISH, 0755), "/etc/service/" + service + "/finish");
        }
        c.start();
    }

    @AfterAll
    void removeTheContainer() {
        if (c != null) {
            c.stop();
        }
    }

    @Test
    @Order(1)
    void bootPrintsTheStartupLinesOfTheWalkthrough() {
        String stderr = It.logs(c).stderrText();
        assertThat(stderr.lines().toList()).as("my_init's log:\n%s", stderr).containsSubsequence(
                "*** Running /etc/my_init.d/00_regen_ssh_host_keys.sh...",
                // sshd is enabled (the walkthrough removed its down file): keys at the first boot
                "00_regen_ssh_host_keys.sh: making the missing SSH host keys: rsa ecdsa ed25519",
                "*** Running /etc/my_init.d/10_syslog-ng.init...",
                "*** Booting runit daemon...");
        assertThat(stderr).containsPattern("\\*\\*\\* Runit started as PID \\d+");
        assertThat(It.exec(c, "sh", "-c", "ls /etc/ssh/ssh_host_*_key")).isEqualTo(
                "/etc/ssh/ssh_host_ecdsa_key\n/etc/ssh/ssh_host_ed25519_key\n/etc/ssh/ssh_host_rsa_key\n");
        assertThat(c.services()).extracting(s -> s.name() + " " + s.state())
                .containsExactly("cron RUN", "sshd RUN", "syslog-ng RUN");
    }

    @Test
    @Order(2)
    void sshLoginOverLoopbackShowsTheProcessTreeAndTheContainerEnvironment() {
        // an interactive login shell (-tt: a pseudo-terminal although docker exec has none),
        // typing three lines, as a person at `ssh root@ADDRESS` would
        String session = ssh("export COLUMNS=300", "echo \"marker=$WALKTHROUGH_MARKER\"", "ps ajxf", "exit");
        System.out.println("BaseImageIT: SSH session over the container's loopback:\n" + session);

        // /etc/profile.d/00_container_environment.sh -> /etc/container_environment.sh
        assertThat(session).as("the login shell has the container's environment").contains("marker=" + ENV_MARKER);

        Map<Integer, PsLine> tree = parsePsAjxf(session);
        PsLine ps = tree.values().stream().filter(p -> p.command().equals("ps ajxf")).findFirst()
                .orElseThrow(() -> new AssertionError("no `ps ajxf` in the tree:\n" + session));
        List<String> chain = new ArrayList<>();
        for (PsLine p = ps; p != null; p = tree.get(p.ppid())) {
            chain.addFirst(p.pid() + " " + p.command());
        }
        // PID 1 (the JVM) -> runsvdir -> runsv sshd -> sshd -D -> sshd: root@pts/N -> -bash -> ps ajxf
        assertThat(chain).as("the ancestry of `ps ajxf` in\n%s", session).hasSize(7);
        assertThat(chain.get(0)).isEqualTo("1 /sbin/my_init");
        assertThat(chain.get(1)).matches("\\d+ (\\S*/)?runsvdir -P /etc/service");
        assertThat(chain.get(2)).matches("\\d+ runsv sshd");
        assertThat(chain.get(3)).matches("\\d+ sshd: /usr/sbin/sshd -D.*|\\d+ /usr/sbin/sshd -D");
        assertThat(chain.get(4)).matches("\\d+ sshd: root@pts/\\d+");
        assertThat(chain.get(5)).matches("\\d+ -bash");
        assertThat(chain.get(6)).matches("\\d+ ps ajxf");

        // the other two services, each the child of its runsv
        assertThat(childOfRunsv(tree, "syslog-ng")).matches("(\\S*/)?syslog-ng -F.*");
        assertThat(childOfRunsv(tree, "cron")).matches("(\\S*/)?cron -f");

        // sshd logs through syslog-ng to auth.log
        It.await(Duration.ofSeconds(10), "the login in /var/log/auth.log",
                () -> It.readText(c, "/var/log/auth.log").contains("Accepted publickey for root from 127.0.0.1"));
    }

    @Test
    @Order(3)
    void loggerLinesReachVarLogSyslogAndDockerLogs() {
        String token = "baseimage-it-" + System.nanoTime();
        It.exec(c, "logger", "-t", "it-logger", token);
        It.await(Duration.ofSeconds(10), token + " in /var/log/syslog",
                () -> It.readText(c, "/var/log/syslog").contains("it-logger: " + token));
        // and on the container's stdout, as phusion's image does (issue 20): `docker logs`
        It.await(Duration.ofSeconds(10), token + " on the container's stdout",
                () -> It.logs(c).stdoutText().lines().anyMatch(l -> l.endsWith(" it-logger: " + token)));
        assertThat(It.exec(c, "stat", "-c", "%a", "/dev/null")).as("/dev/null untouched").isEqualTo("666\n");
        assertThat(It.exec(c, "stat", "-c", "%U:%G %a", "/var/log/syslog")).isEqualTo("root:adm 640\n");
    }

    @Test
    @Order(4)
    void setuserRunsACommandAsAnotherUserWithItsHome() throws Exception {
        assertThat(It.exec(c, "setuser", "nobody", "id", "-u")).isEqualTo("65534\n");
        assertThat(It.exec(c, "setuser", "nobody", "sh", "-c", "echo $HOME $USER $(id -g) $(id -G)"))
                .isEqualTo("/nonexistent nobody 65534 65534\n");
        Container.ExecResult missing = c.execInContainer("setuser", "no-such-user", "true");
        assertThat(missing.getExitCode()).isEqualTo(1);
        assertThat(missing.getStderr()).isEqualTo("setuser: no such user: no-such-user (not in the password database)\n");
        assertThat(c.execInContainer("setuser", "nobody").getExitCode()).as("usage error").isEqualTo(2);
        assertThat(c.execInContainer("setuser", "nobody", "no-such-command").getExitCode()).isEqualTo(127);
        // UID as phusion's setuser exports it (sh, not bash: bash's UID is its own, read-only)
        assertThat(It.exec(c, "setuser", "nobody", "sh", "-c", "echo $UID")).isEqualTo("65534\n");
        // a refused identity change (not root: a setuser inside a setuser) is 126 with the reason,
        // not 127, which means "command not found"
        Container.ExecResult nested = c.execInContainer("setuser", "nobody", "setuser", "root", "true");
        assertThat(nested.getExitCode()).as("stderr: %s", nested.getStderr()).isEqualTo(126);
        assertThat(nested.getStderr()).startsWith("setuser: cannot become root (uid 0, gid 0): setpriv: ")
                .contains("Operation not permitted");
    }

    @Test
    @Order(5)
    void logrotateRotatesTheSyslogFilesAndSyslogNgWritesOnIntoTheNewOne() {
        String before = "before-rotation-" + System.nanoTime();
        It.exec(c, "logger", "-t", "it-logrotate", before);
        It.await(Duration.ofSeconds(10), before + " in /var/log/syslog",
                () -> It.readText(c, "/var/log/syslog").contains(before));
        It.exec(c, "logrotate", "--force", "/etc/logrotate.conf");
        assertThat(It.readText(c, "/var/log/syslog.1")).contains(before);
        String after = "after-rotation-" + System.nanoTime();
        It.exec(c, "logger", "-t", "it-logrotate", after);
        It.await(Duration.ofSeconds(10), after + " in the new /var/log/syslog",
                () -> It.readText(c, "/var/log/syslog").contains(after));
        assertThat(It.readText(c, "/var/log/syslog")).doesNotContain(before);
    }

    @Test
    @Order(6)
    void installCleanInstallsALocalDebWithoutNetworkAndLeavesNoAptLists() throws Exception {
        // a package made here: the container has no network, so no mirror to fetch from
        It.exec(c, "sh", "-c", """
                set -e
                mkdir -p /tmp/pkg/DEBIAN /tmp/pkg/usr/share/jinit-it
                printf 'Package: jinit-it-dummy\\nVersion: 1.0\\nArchitecture: all\\nMaintainer: jinit <it@example.invalid>\\nDescription: test package\\n' > /tmp/pkg/DEBIAN/control
                echo hello > /tmp/pkg/usr/share/jinit-it/hello
                dpkg-deb --build /tmp/pkg /tmp/jinit-it-dummy_1.0_all.deb >/dev/null
                """);
        It.exec(c, "install_clean", "/tmp/jinit-it-dummy_1.0_all.deb");
        assertThat(It.exec(c, "dpkg-query", "-W", "-f", "${Status} ${Version}", "jinit-it-dummy"))
                .isEqualTo("install ok installed 1.0");
        assertThat(It.readText(c, "/usr/share/jinit-it/hello")).isEqualTo("hello\n");
        assertThat(It.exec(c, "sh", "-c", "ls /var/lib/apt/lists /var/cache/apt/archives | grep -c '\\.deb$\\|_Packages' || true"))
                .as("apt caches left").isEqualTo("0\n");
        Container.ExecResult usage = c.execInContainer("install_clean");
        assertThat(usage.getExitCode()).isEqualTo(2);
        assertThat(usage.getStderr()).isEqualTo("usage: install_clean PACKAGE...\n");
    }

    @Test
    @Order(7)
    void cronJobsFireAlsoFromAFileWithTwoHardLinks() {
        // cron's smallest unit is the minute: the job fires at the next minute boundary
        It.await(Duration.ofSeconds(90), "the per-minute job of /etc/cron.d/it-every-minute",
                () -> It.readText(c, "/var/log/markers/cron-job").startsWith("fired\n"));
        It.await(Duration.ofSeconds(10), "the per-minute job of the hard-linked /etc/cron.d/it-linked",
                () -> It.readText(c, "/var/log/markers/cron-linked").startsWith("fired\n"));
        String output = It.logs(c).stdoutText() + It.logs(c).stderrText();
        assertThat(output).contains("it-hard-link: 2 links")
                .contains("cron: /etc/cron.d/it-linked had 2 hard links, which cron refuses: it now has its own copy");
        assertThat(It.exec(c, "stat", "-c", "%h %U %a", "/etc/cron.d/it-linked")).isEqualTo("1 root 644\n");
        It.await(Duration.ofSeconds(10), "cron's line in /var/log/syslog", () -> {
            String all = It.readText(c, "/var/log/syslog.1") + It.readText(c, "/var/log/syslog");
            return all.contains("(root) CMD (mkdir -p /var/log/markers && echo fired >> /var/log/markers/cron-job)");
        });
    }

    @Test
    @Order(8)
    void dockerStopStopsTheThreeServicesGracefullyRunsTheSyslogNgHookAndExits2() {
        long t0 = System.nanoTime();
        int status = c.stopGracefully(Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String stderr = It.logs(c).stderrText();
        System.out.println("BaseImageIT: docker stop -t 10 took " + took.toMillis() + " ms, status " + status);

        assertThat(status).as("exit status; stderr:\n%s", stderr).isEqualTo(2);
        assertThat(took).as("docker stop -t 10 took").isLessThan(Duration.ofSeconds(8));
        assertThat(stderr.lines().toList()).containsSubsequence(
                "*** Running /etc/my_init.post_shutdown.d/10_syslog-ng.shutdown...",
                "10_syslog-ng.shutdown: syslog-ng has stopped; its log files are complete",
                "*** Init system aborted.");
        assertThat(stderr).doesNotContain("did not shut down in time").doesNotContain("Forcing");
        // each run ended by its own exit or by the TERM that runsv sent, never by KILL
        assertThat(It.readText(c, "/var/log/markers/syslog-ng")).isEqualTo("exit=0 signal=0\n");
        assertThat(It.readText(c, "/var/log/markers/cron")).isEqualTo("exit=-1 signal=15\n");
        assertThat(It.readText(c, "/var/log/markers/sshd")).matches("exit=(-1 signal=15|\\d+ signal=0)\n");
        // syslog-ng's own last words, written before it exited
        assertThat(It.readText(c, "/var/log/syslog")).contains("syslog-ng shutting down");
        assertThat(It.readFile(c, "/run/syslog-ng.pid")).as("the hook removed the pid file").isNull();
    }

    // ---------------------------------------------------------------------------------------

    /** Runs the lines in an interactive login shell over SSH to root@127.0.0.1; returns the session's output. */
    private String ssh(String... lines) {
        String input = String.join("\\n", lines) + "\\n";
        String cmd = "chmod 0600 /root/it_id_rsa && printf '" + input.replace("'", "'\"'\"'") + "'"
                + " | ssh -tt -i /root/it_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=accept-new root@127.0.0.1";
        return It.exec(c, "sh", "-c", cmd).replace("\r", "");
    }

    record PsLine(int ppid, int pid, String command) {
    }

    private static final Pattern PS_AJXF = Pattern.compile(
            "^\\s*(\\d+)\\s+(\\d+)\\s+-?\\d+\\s+-?\\d+\\s+\\S+\\s+-?\\d+\\s+\\S+\\s+\\d+\\s+\\S+\\s(.*)$");

    /** pid -> line of `ps ajxf` (PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND), tree art removed. */
    static Map<Integer, PsLine> parsePsAjxf(String out) {
        Map<Integer, PsLine> tree = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            Matcher m = PS_AJXF.matcher(line);
            if (m.matches()) {
                String command = m.group(3).replaceFirst("^[\\s|\\\\_]*", "").strip();
                tree.put(Integer.parseInt(m.group(2)), new PsLine(Integer.parseInt(m.group(1)),
                        Integer.parseInt(m.group(2)), command));
            }
        }
        return tree;
    }

    private static String childOfRunsv(Map<Integer, PsLine> tree, String service) {
        Optional<PsLine> runsv = tree.values().stream().filter(p -> p.command().equals("runsv " + service)).findFirst();
        assertThat(runsv).as("runsv %s in %s", service, tree.values()).isPresent();
        List<String> children = tree.values().stream().filter(p -> p.ppid() == runsv.get().pid())
                .map(PsLine::command).toList();
        assertThat(children).as("children of runsv %s", service).hasSize(1);
        return children.getFirst();
    }

    /** A fresh RSA key pair, made by ssh-keygen in a throw-away container of the image under test. */
    static KeyPair keyPair() {
        It.CommandResult r = It.run(List.of("docker", "run", "--rm", "--pull", "never", "--network", "none",
                BASEIMAGE, "sh", "-c",
                "ssh-keygen -q -t rsa -b 3072 -N '' -C baseimage-it -f /tmp/k >/dev/null && cat /tmp/k.pub && echo ===== && cat /tmp/k"),
                Map.of(), Duration.ofSeconds(60));
        if (r.status() != 0 || !r.output().contains("=====\n")) {
            throw new AssertionError("ssh-keygen in " + BASEIMAGE + " failed (" + r.status() + "):\n" + r.output()
                    + "\n(build the image with `bash images/build.sh`)");
        }
        String[] parts = r.output().split("=====\n", 2);
        return new KeyPair(parts[0], parts[1]);
    }

    /** Builds src/test/docker/walkthrough with id_rsa.pub beside it; returns the tag. */
    private static String buildWalkthrough(String publicKey) {
        try {
            Path ctx = Files.createTempDirectory("jinit-walkthrough");
            Files.copy(DOCKER_DIR.resolve("walkthrough/Dockerfile"), ctx.resolve("Dockerfile"));
            Files.writeString(ctx.resolve("id_rsa.pub"), publicKey, StandardCharsets.UTF_8);
            String tag = "jinit-it/walkthrough:" + tagSuffix(BASEIMAGE);
            It.CommandResult r = It.run(List.of("docker", "build", "--network=none", "--build-arg", "BASEIMAGE=" + BASEIMAGE,
                    "-t", tag, ctx.toString()), Map.of("DOCKER_BUILDKIT", "0"), Duration.ofMinutes(5));
            if (r.status() != 0) {
                throw new AssertionError("building the walkthrough FROM " + BASEIMAGE + " failed (" + r.status() + "):\n"
                        + r.output() + "\n(build the image with `bash images/build.sh`)");
            }
            try (var files = Files.list(ctx)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(ctx);
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tagSuffix(String image) {
        return image.substring(image.lastIndexOf(':') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
