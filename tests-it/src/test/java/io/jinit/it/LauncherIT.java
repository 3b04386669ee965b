package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The launcher and the first instant. Each test is one thing a container's first instant can do, run as a
 * user would, in a real container: a TERM sent at once, odd variable names, no PWD of a shell,
 * the container's JVM variables kept from the init's JVM and given back to the children, the
 * container's limits and other process attributes reaching every child, QUIT forwarded, and
 * Ctrl-C on a terminal in runit-only mode.
 */
class LauncherIT {

    @TempDir
    static Path scratch;

    private static Path ptyKeys;

    @BeforeAll
    static void copyPtyDriver() throws IOException {
        ptyKeys = scratch.resolve("pty_keys.py");
        try (InputStream in = LauncherIT.class.getResourceAsStream("pty_keys.py")) {
            if (in == null) fail("pty_keys.py is not on the test classpath");
            Files.copy(in, ptyKeys);
        }
    }

    private static List<String> dockerRun(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "--pull", "never", "--network", "none"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static It.CommandResult docker(List<String> cmd) {
        It.CommandResult r = It.run(cmd, Map.of(), Duration.ofSeconds(120));
        return r;
    }

    @Test
    void aTermSentAtOnceAbortsEveryRun() {
        It.requireDocker();
        int runs = 10;
        for (int i = 0; i < runs; i++) {
            It.CommandResult run = docker(dockerRun("-d", It.BASE, "/sbin/my_init", "--skip-runit", "--", "sleep", "1000"));
            assertThat(run.status()).as(run.output()).isZero();
            String id = run.output().strip();
            try {
                It.CommandResult kill = docker(List.of("docker", "kill", "-s", "TERM", id));
                assertThat(kill.status()).as(kill.output()).isZero();
                It.CommandResult waited = docker(List.of("docker", "wait", id));
                It.CommandResult logs = docker(List.of("docker", "logs", id));
                assertThat(waited.output().strip()).as("run %d of %d; log:\n%s", i + 1, runs, logs.output()).isEqualTo("2");
                assertThat(logs.output()).as("run %d of %d", i + 1, runs).contains("*** Init system aborted.")
                        .doesNotContain("Exception").doesNotContain("InternalError");
            } finally {
                docker(List.of("docker", "rm", "-f", id));
            }
        }
    }

    /** Runs {@code my_init --skip-runit -- env} (no shell in between) with the given variables. */
    private static It.Output envOfTheMainCommand(Map<String, String> env, String... myInitOptions) {
        List<String> args = new ArrayList<>(List.of(myInitOptions));
        args.addAll(List.of("--skip-runit", "--", "env"));
        MyInitContainer c = It.myInit(It.BASE).withMyInitCommand(args.toArray(String[]::new)).expectingExit();
        env.forEach(c::withEnv);
        try (c) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            It.Output out = It.logs(c);
            assertThat(status).as("stderr:\n%s", out.stderrText()).isZero();
            return out;
        }
    }

    @Test
    void variablesWhoseNamesAreNoShellNamesReachTheMainCommandAndTheFiles() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("spring.profiles.active", "prod");
        env.put("my-var", "1");
        env.put("a+b@c", "odd name");
        MyInitContainer c = It.myInit(It.BASE).withMyInitCommand("--skip-runit", "--", "sh", "-c",
                "cat /etc/container_environment.json; echo; ls /etc/container_environment; sleep 1000");
        env.forEach(c::withEnv);
        try (c) {
            c.start();
            It.await(Duration.ofSeconds(30), "the main command's output", () -> It.logs(c).stdoutText().contains("a+b@c"));
            String out = It.logs(c).stdoutText();
            assertThat(out).contains("\"spring.profiles.active\": \"prod\"").contains("\"my-var\": \"1\"")
                    .contains("\"a+b@c\": \"odd name\"");
            assertThat(out.lines()).contains("spring.profiles.active", "my-var", "a+b@c");
        }
        It.Output direct = envOfTheMainCommand(env);
        assertThat(direct.stdoutText().lines()).contains("spring.profiles.active=prod", "my-var=1", "a+b@c=odd name");
    }

    @Test
    void noPwdUnlessTheContainerHasOne() {
        It.Output out = envOfTheMainCommand(Map.of());
        assertThat(out.stdoutText().lines()).noneMatch(l -> l.startsWith("PWD=")).noneMatch(l -> l.startsWith("_="))
                .noneMatch(l -> l.startsWith("_JAVA_SR_SIGNUM="));
        It.Output withPwd = envOfTheMainCommand(Map.of("PWD", "/somewhere"));
        assertThat(withPwd.stdoutText().lines()).contains("PWD=/somewhere");
    }

    @Test
    void theContainersJvmVariablesAreForTheChildrenNotForTheInit() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", "-XX:+UseG1GC -javaagent:/nonexistent.jar");
        env.put("_JAVA_OPTIONS", "-Xmx2m");
        env.put("JDK_JAVA_OPTIONS", "--add-opens=java.base/java.lang=ALL-UNNAMED");
        env.put("_JAVA_SR_SIGNUM", "50");
        It.Output out = envOfTheMainCommand(env);
        assertThat(out.stdoutText().lines()).contains("JAVA_TOOL_OPTIONS=-XX:+UseG1GC -javaagent:/nonexistent.jar",
                "_JAVA_OPTIONS=-Xmx2m", "JDK_JAVA_OPTIONS=--add-opens=java.base/java.lang=ALL-UNNAMED",
                "_JAVA_SR_SIGNUM=50");
        assertThat(out.stderrText()).as("the init's JVM read none of them").doesNotContain("Picked up")
                .doesNotContain("[aot]").doesNotContain("garbage collectors");
        It.Output unset = envOfTheMainCommand(Map.of());
        assertThat(unset.stdoutText().lines()).as("unset stays unset")
                .noneMatch(l -> l.matches("(JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_SR_SIGNUM)=.*"));
    }

    @Test
    void everyChildInheritsTheContainersLimitsAndAttributes() {
        It.CommandResult r = docker(dockerRun("--rm", "--ulimit", "nofile=1024:4096", "--ulimit", "nproc=500:700",
                "--ulimit", "core=0:1000", "--cpuset-cpus", "0", "--oom-score-adj", "300", "-w", "/tmp",
                It.image("launch"), "/sbin/my_init", "--quiet", "--", "inherit-main"));
        assertThat(r.status()).as(r.output()).isZero();
        List<String> initLimits = r.output().lines().filter(l -> l.startsWith("init limit ")).map(l -> l.substring(5)).toList();
        assertThat(initLimits).as(r.output()).hasSizeGreaterThan(10).contains("limit Max open files: 1024/4096");
        for (String who : List.of("startup", "service", "main")) {
            List<String> limits = r.output().lines().filter(l -> l.startsWith(who + " limit "))
                    .map(l -> l.substring(who.length() + 1)).toList();
            assertThat(limits).as("%s: every limit as the container set it, as the init got it", who)
                    .containsExactlyElementsOf(initLimits);
            assertThat(r.output().lines()).as(r.output()).contains(
                    who + " nofile 1024/4096", who + " limit Max processes: 500/700",
                    who + " limit Max core file size: 0/1000", who + " umask 0022",
                    who + " nice 0", who + " cpus 0", who + " oom_score_adj 300", who + " sigblk 0000000000000000",
                    who + " sigign 0000000000000000");
        }
        // the service runs in /etc/service/sleeper (runsv's cd); the others in the container's -w
        assertThat(r.output().lines()).contains("startup cwd /tmp", "main cwd /tmp");
    }

    @Test
    void quitReachesTheMainCommandByDefault() {
        It.CommandResult run = docker(dockerRun("-d", It.image("launch"), "/sbin/my_init", "--skip-runit", "--", "quit-main"));
        assertThat(run.status()).as(run.output()).isZero();
        String id = run.output().strip();
        try {
            It.await(Duration.ofSeconds(60), "main ready", () -> docker(List.of("docker", "logs", id)).output().contains("main ready"));
            docker(List.of("docker", "kill", "-s", "QUIT", id));
            It.CommandResult waited = docker(List.of("docker", "wait", id));
            String logs = docker(List.of("docker", "logs", id)).output();
            assertThat(waited.output().strip()).as(logs).isEqualTo("3");
            assertThat(logs).contains("main got QUIT").doesNotContain("Full thread dump");
        } finally {
            docker(List.of("docker", "rm", "-f", id));
        }
    }

    @Test
    void ctrlCOnATerminalInRunitOnlyModeAbortsTheInitAndStopsTheServicesGracefully() {
        List<String> cmd = new ArrayList<>(List.of("python3", ptyKeys.toString(), "sleeper up", "\\x03", "90", "--"));
        cmd.addAll(dockerRun("--rm", "-t", "-i", It.image("launch"), "/sbin/my_init", "--quiet"));
        It.CommandResult r = It.run(cmd, Map.of(), Duration.ofSeconds(120));
        assertThat(r.output()).contains("sleeper up").contains("sleeper stopped gracefully")
                .contains("*** Init system aborted.").doesNotContain("Runit exited with status")
                .doesNotContain("PTY-TIMEOUT");
        assertThat(r.output()).as(r.output()).contains("PTY-EXIT 2");
    }
}
