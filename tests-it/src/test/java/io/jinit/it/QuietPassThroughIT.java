package io.jinit.it;

import com.github.dockerjava.api.model.LogConfig;
import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code my_init --quiet -- cmd}: the command's stdout and stderr reach the container's output
 * byte for byte, the init adds no info line, and its exit status is the command's (N, or 128+S).
 * The containers log with Docker's {@code local} driver, which keeps bytes exactly.
 */
class QuietPassThroughIT {

    /** What /usr/local/bin/emit (src/test/docker/tools/bin/emit) writes. */
    private static final byte[] EMIT_STDOUT = bytes(
            "first line\n", new byte[]{(byte) 0xff, (byte) 0xfe}, " not UTF-8\n\tcarriage return\r\nsch",
            new byte[]{(byte) 0xc3, (byte) 0xb6}, "n ", new byte[]{(byte) 0xe2, (byte) 0x82, (byte) 0xac},
            "\nno newline at the end");
    private static final byte[] EMIT_STDERR = bytes(
            "an error line\n*** a line of the command that looks like the init\n", new byte[]{(byte) 0xff},
            " raw\nlast");

    private static MyInitContainer oneShot(String... myInitArgs) {
        return It.myInit(It.image("tools"))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withLogConfig(new LogConfig(LogConfig.LoggingType.LOCAL)))
                .withMyInitCommand(myInitArgs)
                .expectingExit();
    }

    @Test
    void outputPassesThroughByteForByteAndStatusIsTheCommands() {
        try (MyInitContainer c = oneShot("--quiet", "--", "emit", "7")) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            It.Output out = It.logs(c);
            assertThat(out.stdout()).as("stdout:\n%s", out.stdoutText()).isEqualTo(EMIT_STDOUT);
            assertThat(out.stderr()).as("stderr (no *** lines of the init):\n%s", out.stderrText()).isEqualTo(EMIT_STDERR);
            assertThat(status).isEqualTo(7);
        }
    }

    @ParameterizedTest(name = "main exits {0} -> my_init exits {0}")
    @CsvSource({"0", "42", "255"})
    void exitStatusIsTheMainCommands(int n) {
        try (MyInitContainer c = oneShot("--quiet", "--", "sh", "-c", "exit " + n)) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            It.Output out = It.logs(c);
            assertThat(status).as("stderr:\n%s", out.stderrText()).isEqualTo(n);
            assertThat(out.stdout()).isEmpty();
            assertThat(out.stderr()).as("--quiet: no info lines").isEmpty();
        }
    }

    @ParameterizedTest(name = "main killed by SIG{0} ({1}) -> my_init exits 128+{1}")
    @CsvSource({"TERM,15", "KILL,9", "USR1,10"})
    void killedBySignalGives128PlusSignal(String signal, int number) {
        try (MyInitContainer c = oneShot("--quiet", "--", "sh", "-c", "kill -" + signal + " $$; sleep 10")) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            It.Output out = It.logs(c);
            assertThat(status).as("stderr:\n%s", out.stderrText()).isEqualTo(128 + number);
            assertThat(out.stdout()).isEmpty();
            assertThat(out.stderrText().lines().filter(QuietPassThroughIT::isInfoLine))
                    .as("--quiet hides the info lines; stderr:\n%s", out.stderrText()).isEmpty();
        }
    }

    @Test
    void theJvmIsPid1AndItsAotCacheMapsInTheContainer() {
        // AOTMode=on makes the JVM fail instead of running on slowly when the cache cannot be
        // mapped (it is tied to the exact lib/modules of the image it was trained in).
        String check = "[ \"$(readlink /proc/1/exe)\" = /opt/jinit/bin/java ] || exit 11; "
                + "/opt/jinit/bin/java -XX:AOTCache=/opt/jinit/lib/jinit.aot -XX:AOTMode=on "
                + "-m io.jinit/io.jinit.cli.MyInit --version >/dev/null || exit 12";
        try (MyInitContainer c = oneShot("--quiet", "--", "sh", "-c", check)) {
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            It.Output out = It.logs(c);
            assertThat(status).as("11: PID 1 is not the image's JVM; 12: the AOT cache does not map; stderr:\n%s",
                    out.stderrText()).isZero();
            assertThat(out.stderrText()).as("no [error][aot] and no restricted-method WARNING at boot")
                    .doesNotContain("[aot]").doesNotContain("WARNING");
        }
    }

    /** The info lines of the contract (hidden by --quiet); warnings and errors may show. */
    static boolean isInfoLine(String l) {
        return l.startsWith("*** Running ") || l.startsWith("*** Booting runit daemon")
                || l.startsWith("*** Runit started as PID") || l.startsWith("*** Runit exited with status")
                || l.startsWith("*** Shutting down ") || l.startsWith("*** Killing all processes")
                || (l.startsWith("*** ") && l.matches("\\*\\*\\* .* exited with status \\d+\\."));
    }

    private static byte[] bytes(Object... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
