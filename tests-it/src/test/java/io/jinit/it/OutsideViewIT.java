package io.jinit.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * From the outside, an init and not a JVM: each test is a row of that table, in a real container
 * of jinit/base as a user would see it: {@code ps}/{@code docker top}/{@code pgrep}/{@code pidof}
 * name PID 1 {@code my_init} with the command line the container ran; Java shops' {@code pkill java}
 * never hits it; JVM variables never show in a command line; {@code docker diff} shows nothing the
 * init left; a fault signal sent with kill does not kill it.
 */
class OutsideViewIT {

    private static It.CommandResult docker(String... args) {
        return It.run(List.of(args), Map.of(), Duration.ofSeconds(120));
    }

    /** Starts a detached container of jinit/base with {@code args} after the image; returns its id. */
    private static String runDetached(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--pull", "never", "--network", "none"));
        cmd.addAll(List.of(args));
        It.CommandResult run = It.run(cmd, Map.of(), Duration.ofSeconds(120));
        assertThat(run.status()).as(run.output()).isZero();
        return run.output().strip();
    }

    /** Runs {@code sh -c script} in the container; returns its output. */
    private static String exec(String id, String script) {
        It.CommandResult r = docker("docker", "exec", id, "sh", "-c", script);
        assertThat(r.status()).as(r.output()).isZero();
        return r.output();
    }

    @Test
    void psPgrepPidofAndDockerTopSeeMyInitWithItsCommandLine() {
        It.requireDocker();
        String id = runDetached("-e", "JAVA_TOOL_OPTIONS=-Ddb.password=s3cr3t", "-e", "_JAVA_OPTIONS=-Dapi.key=k3y",
                It.BASE, "/sbin/my_init", "--quiet", "--", "sleep", "1000");
        try {
            It.await(Duration.ofSeconds(30), "the main command", () -> exec(id, "pgrep -x sleep || true").contains("\n"));
            assertThat(exec(id, "ps -o comm= -p 1")).isEqualTo("my_init\n");
            assertThat(exec(id, "ps -o args= -p 1")).isEqualTo("/sbin/my_init --quiet -- sleep 1000\n");
            assertThat(exec(id, "tr '\\0' '\\n' < /proc/1/cmdline")).isEqualTo("/sbin/my_init\n--quiet\n--\nsleep\n1000\n");
            assertThat(exec(id, "pgrep my_init; pidof my_init")).isEqualTo("1\n1\n");
            assertThat(exec(id, "pgrep java; pidof java; true")).as("a process named java").isEmpty();
            It.CommandResult top = docker("docker", "top", id);
            assertThat(top.output()).contains("/sbin/my_init --quiet -- sleep 1000")
                    .doesNotContain("java", "s3cr3t", "k3y", "-XX");
            // the values still reach the children
            assertThat(exec(id, "cat /proc/$(pgrep -x sleep)/environ | tr '\\0' '\\n' | grep -E '^(JAVA_TOOL|_JAVA)_OPTIONS='"))
                    .isEqualTo("JAVA_TOOL_OPTIONS=-Ddb.password=s3cr3t\n_JAVA_OPTIONS=-Dapi.key=k3y\n");
        } finally {
            docker("docker", "rm", "-f", id);
        }
    }

    @Test
    void pkillJavaDoesNotHitTheInit() {
        It.requireDocker();
        String id = runDetached(It.BASE, "/sbin/my_init", "--skip-runit", "--", "sleep", "1000");
        try {
            It.await(Duration.ofSeconds(30), "the main command", () -> exec(id, "pgrep -x sleep || true").contains("\n"));
            It.CommandResult pkill = docker("docker", "exec", id, "pkill", "java");
            assertThat(pkill.status()).as("pkill java matched nothing: " + pkill.output()).isEqualTo(1);
            assertThat(exec(id, "kill -0 1 && echo alive")).isEqualTo("alive\n");
        } finally {
            docker("docker", "rm", "-f", id);
        }
    }

    @Test
    void dockerDiffShowsNothingTheInitLeft() {
        It.requireDocker();
        // runit mode with a service, stopped with docker stop: the init ran every phase
        String id = runDetached(It.BASE, "/sbin/my_init");
        try {
            It.await(Duration.ofSeconds(30), "runsvdir", () -> exec(id, "pgrep -x runsvdir || true").contains("\n"));
            It.CommandResult stop = docker("docker", "stop", "-t", "20", id);
            assertThat(stop.status()).as(stop.output()).isZero();
            It.CommandResult diff = docker("docker", "diff", id);
            assertThat(diff.status()).as(diff.output()).isZero();
            // what the init writes: the environment exports, and /run (a directory runit's own
            // services use) is never touched by the init
            assertThat(diff.output().lines())
                    .allMatch(l -> l.matches("[ACD] /etc(/container_environment.*)?") || l.matches("[ACD] /run(/.*)?"),
                            "only /etc/container_environment* changed");
            assertThat(diff.output()).doesNotContain("/tmp/.java_pid", "hs_err", "core");
        } finally {
            docker("docker", "rm", "-f", id);
        }
    }

    @Test
    void dockerKillWithAFaultSignalDoesNotKillTheInit() {
        It.requireDocker();
        // the main command traps the four (forwarded to its process group, they would end it)
        String id = runDetached(It.BASE, "/sbin/my_init", "-v", "--", "sh", "-c",
                "for s in SEGV BUS FPE ILL; do trap \"echo got $s\" $s; done; touch /tmp/ready; while :; do sleep 1; done");
        try {
            It.await(Duration.ofSeconds(30), "the main command", () -> exec(id, "ls /tmp/ready 2>/dev/null || true").contains("ready"));
            for (String signal : List.of("SEGV", "BUS", "FPE", "ILL")) {
                It.CommandResult kill = docker("docker", "kill", "-s", signal, id);
                assertThat(kill.status()).as(kill.output()).isZero();
            }
            It.await(Duration.ofSeconds(30), "the init's -v line for each",
                    () -> docker("docker", "logs", id).output().contains("*** Received SIGILL."));
            assertThat(exec(id, "kill -0 1 && echo alive")).isEqualTo("alive\n");
            It.CommandResult stop = docker("docker", "stop", "-t", "20", id);
            assertThat(stop.status()).as(stop.output()).isZero();
            It.CommandResult waited = docker("docker", "wait", id);
            String logs = docker("docker", "logs", id).output();
            assertThat(waited.output().strip()).as(logs).isEqualTo("2");
            assertThat(logs).contains("*** Received SIGSEGV.", "*** Received SIGBUS.", "*** Received SIGFPE.",
                    "*** Init system aborted.", "got SEGV", "got BUS", "got FPE", "got ILL").doesNotContain("fatal error");
        } finally {
            docker("docker", "rm", "-f", id);
        }
    }
}
