package io.jinit.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the init looks like from outside (in the container, to {@code ps}, {@code pgrep},
 * {@code pidof}, {@code docker top}): a process named {@code my_init} whose command line is the
 * one it was started with, no JVM option or JVM variable in it, no attach socket, and children that
 * get exactly the descriptors the init was started with (none of the JVM's own, and a closed one
 * stays closed). The init runs as PID 1 of a new PID namespace; its main command looks at it
 * through {@code /proc/1}.
 */
@Timeout(120)
class OutsideViewIT {
    @TempDir
    Path root;

    /** Splits the main command's output into its lines. */
    private static List<String> lines(String out) {
        return Arrays.asList(out.split("\n"));
    }

    @Test
    void pidOneIsNamedMyInitAndShowsExactlyTheCommandLineItWasGiven() {
        // the main command prints PID 1's command line (one argument a line), its name and the
        // name of each of its threads
        // (the separator is printed as "=""=", so the script's own text never matches it)
        String script = "s='=''='; tr '\\0' '\\n' < /proc/1/cmdline; echo $s; cat /proc/1/comm; echo $s;"
                + " cat /proc/1/task/*/comm; echo $s; pgrep -x my_init; echo $s; pgrep -x java; pidof java; echo $s";
        Init.Result r = Init.in(root).asPid1().args("--skip-runit", "--", "sh", "-c", script).run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        String[] parts = r.stdout().split("==\n", -1);
        assertThat(lines(parts[0])).as(r.describe())
                .containsExactly(Init.binary().toString(), "--root", root.toString(), "--skip-runit", "--", "sh", "-c", script);
        assertThat(parts[1]).isEqualTo("my_init\n");
        assertThat(lines(parts[2])).as("thread names").doesNotContain("java").contains("my_init");
        assertThat(parts[3]).as("pgrep -x my_init").isEqualTo("1\n");
        assertThat(parts[4]).as("pgrep -x java, pidof java").isEmpty();
    }

    @Test
    void jvmVariablesReachTheMainCommandButNeverACommandLine() {
        String secret = "-Ddb.password=s3cr3t value";
        Init.Result r = Init.in(root).asPid1()
                .env("JAVA_TOOL_OPTIONS", secret).env("_JAVA_OPTIONS", "-Dkey=agent-api-key")
                .env("JDK_JAVA_OPTIONS", "-Dx=jdk")
                .args("--skip-runit", "--", "sh", "-c",
                        "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo \"JTO=$JAVA_TOOL_OPTIONS\"; echo \"JO=$_JAVA_OPTIONS\";"
                                + " echo \"JDK=$JDK_JAVA_OPTIONS\"; env | grep -c '^JINIT_' || true")
                .run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<String> out = lines(r.stdout());
        assertThat(out.get(0)).as("PID 1's command line").doesNotContain("s3cr3t", "agent-api-key", "jdk", "-XX", "-Xrs");
        assertThat(out.subList(1, 5)).containsExactly("JTO=" + secret, "JO=-Dkey=agent-api-key", "JDK=-Dx=jdk", "0");
    }

    @Test
    void nothingCanAttachToTheInit() {
        // HotSpot's attach listener would be a UNIX socket among PID 1's descriptors and a file
        // /tmp/.java_pid1 (the JVM's own PID in its namespace)
        Init.Result r = Init.in(root).asPid1()
                .args("--skip-runit", "--", "sh", "-c", "ls -l /proc/1/fd | grep -c socket: || true")
                .run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).as("sockets among PID 1's descriptors").isEqualTo("0\n");
    }

    @Test
    void childrenGetTheDescriptorsTheInitWasStartedWithAndNoneOfTheJvms() throws Exception {
        Path file = root.resolve("inherited.txt");
        java.nio.file.Files.writeString(file, "passed on\n");
        // fd 3 and fd 7 open, fd 5 not, stdin closed: the JVM's first open (lib/modules) takes fd 0
        Init.Result r = Init.in(root)
                .underShellPid1("exec 3<\"$INHERITED\" 7<\"$INHERITED\" 0<&-; exec \"$@\"")
                .env("INHERITED", file.toString())
                .args("--skip-runit", "--", "sh", "-c",
                        "cat <&3; cat <&7; for fd in 0 1 2 3 4 5 6 7 8 9 10; do [ -e /proc/self/fd/$fd ] && echo \"fd $fd\"; done;"
                                + " ls -l /proc/self/fd/ | grep -c \"" + Init.binary().getParent().getParent() + "\" || true")
                .run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        // the shell's own ls opens one more fd (its listing), which the loop does not reach
        assertThat(lines(r.stdout())).as(r.describe())
                .containsExactly("passed on", "passed on", "fd 1", "fd 2", "fd 3", "fd 7", "0");
    }
}
