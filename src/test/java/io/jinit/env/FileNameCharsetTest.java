package io.jinit.env;

import io.jinit.bytes.RawPaths;

import static io.jinit.env.EnvFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.bytes.RawStrings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names keep their bytes whatever the JVM's file-name charset: in a container without
 * {@code LANG} the JVM's {@code sun.jnu.encoding} is ASCII, and plain {@code Path} strings would
 * turn every non-ASCII byte of a variable's file name into {@code ?} (or fail to make a path).
 */
class FileNameCharsetTest {
    @TempDir
    Path root;

    @Test
    void nonAsciiAndNonUtf8NamesRoundTripInAJvmWithoutLocale() throws Exception {
        EnvFixture fx = new EnvFixture(root).withDirectory();
        fx.put("ÄPFEL", "süß\n");
        fx.put(RawStrings.decode(bytes('N', 0xE9)), "latin1");

        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExportChild.class.getName(), "charset", root.toString())
                .redirectErrorStream(true);
        pb.environment().clear(); // no LANG, no LC_*: the C locale, as in most containers
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines()).containsExactly(
                "sun.jnu.encoding=ANSI_X3.4-1968",
                "Variable 'ÄPFEL' left out of " + fx.paths.shellFile() + " ('ÄPFEL' is not a shell variable name)",
                "Variable 'NEU_Ö' left out of " + fx.paths.shellFile() + " ('NEU_Ö' is not a shell variable name)",
                "exported 4");

        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names.map(RawPaths::fileName).map(b -> new String(b, StandardCharsets.ISO_8859_1)))
                    .containsExactlyInAnyOrderElementsOf(List.of(
                            latin1("ÄPFEL".getBytes(StandardCharsets.UTF_8)), latin1(bytes('N', 0xE9)),
                            latin1("NEU_Ö".getBytes(StandardCharsets.UTF_8)), latin1(bytes('R', 0xFF))));
        }
        assertThat(fx.read("ÄPFEL")).asString(StandardCharsets.UTF_8).isEqualTo("süß");
        assertThat(fx.read("NEU_Ö")).asString(StandardCharsets.UTF_8).isEqualTo("ö");
        assertThat(fx.read(RawStrings.decode(bytes('R', 0xFF)))).asString().isEqualTo("raw");
        assertThat(fx.json()).isEqualTo(
                "{\"N\\udce9\": \"latin1\", \"\\u00c4PFEL\": \"s\\u00fc\\u00df\", \"NEU_\\u00d6\": \"\\u00f6\", \"R\\udcff\": \"raw\"}");
        assertThat(fx.shell()).isEqualTo("export N_=latin1\nexport R_=raw\n");
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
