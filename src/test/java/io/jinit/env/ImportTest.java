package io.jinit.env;

import static io.jinit.env.EnvFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.jinit.bytes.RawStrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading /etc/container_environment/ and the two import phases (contract, "Phases" 1 and 3). */
class ImportTest {
    @TempDir
    Path root;

    EnvFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new EnvFixture(root).withDirectory();
    }

    @Test
    void valueIsTheContentMinusExactlyOneTrailingNewline() throws IOException {
        fx.put("ONE", "v\n");
        fx.put("TWO", "v\n\n");
        fx.put("NONE", "v");
        fx.put("EMPTY", "");
        fx.put("ONLY_NL", "\n");
        fx.put("INNER", "a\nb");
        assertThat(fx.env().readDirectory()).containsExactly(
                entry("EMPTY", ""), entry("INNER", "a\nb"), entry("NONE", "v"), entry("ONE", "v"),
                entry("ONLY_NL", ""), entry("TWO", "v\n"));
        assertThat(fx.warnings).isEmpty();
    }

    @Test
    void carriageReturnsAreKept() throws IOException {
        fx.put("CRLF", "v\r\n");
        fx.put("CR", "a\rb\r");
        assertThat(fx.env().readDirectory()).containsExactly(entry("CR", "a\rb\r"), entry("CRLF", "v\r"));
    }

    @Test
    void bytesThatAreNotUtf8SurviveInValuesAndNames() throws IOException {
        byte[] value = bytes('a', 0xFF, 0xC3, 0x28, 0xE9, '\n', 0x80, '\n'); // invalid UTF-8 all over
        String name = RawStrings.decode(bytes('N', 0xE9)); // Latin-1 "Né"
        fx.put(name, value);
        SequencedMap<String, String> read = fx.env().readDirectory();
        assertThat(read).containsOnlyKeys(name);
        assertThat(RawStrings.encode(name)).containsExactly(bytes('N', 0xE9));
        assertThat(RawStrings.encode(read.get(name))).containsExactly(bytes('a', 0xFF, 0xC3, 0x28, 0xE9, '\n', 0x80));
        assertThat(fx.warnings).isEmpty();
    }

    @Test
    void utf8NamesAndValuesDecodeNormally() throws IOException {
        fx.put("ÄPFEL", "süß 日本\n");
        assertThat(fx.env().readDirectory()).containsExactly(entry("ÄPFEL", "süß 日本"));
    }

    @Test
    void sortedByteWise() throws IOException {
        for (String n : new String[] {"b", "a", "B", "_x", "Z9", "é", ".dot", "A"}) fx.put(n, n);
        // bytes: . (2e) < A (41) < B (42) < Z (5a) < _ (5f) < a (61) < b (62) < é (c3 a9)
        assertThat(fx.env().readDirectory().sequencedKeySet()).containsExactly(".dot", "A", "B", "Z9", "_x", "a", "b", "é");
    }

    @Test
    void subDirectoryIsSkippedWithOneWarning() throws IOException {
        fx.put("A", "1");
        Files.createDirectory(fx.entry("SUB"));
        fx.put("Z", "2");
        assertThat(fx.env().readDirectory()).containsExactly(entry("A", "1"), entry("Z", "2"));
        assertThat(fx.warnings).containsExactly(
                "Skipping 'SUB' in " + fx.paths.directory() + ": it is a directory");
    }

    @Test
    void fifoIsSkippedWithoutBlocking() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", fx.entry("PIPE").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        fx.put("A", "1");
        assertThat(fx.env().readDirectory()).containsExactly(entry("A", "1"));
        assertThat(fx.warnings).containsExactly(
                "Skipping 'PIPE' in " + fx.paths.directory() + ": it is not a regular file");
    }

    @Test
    void symlinksAreFollowed_brokenOnesSkippedWithWarning() throws IOException {
        Path target = Files.writeString(root.resolve("target"), "linked\n");
        Files.createSymbolicLink(fx.entry("LINK"), target);
        Files.createSymbolicLink(fx.entry("BROKEN"), root.resolve("nowhere"));
        Files.createSymbolicLink(fx.entry("TODIR"), root);
        assertThat(fx.env().readDirectory()).containsExactly(entry("LINK", "linked"));
        assertThat(fx.warnings).containsExactly(
                "Skipping 'BROKEN' in " + fx.paths.directory() + ": it is a broken symbolic link, or it vanished",
                "Skipping 'TODIR' in " + fx.paths.directory() + ": it is a directory");
    }

    @Test
    void nameWithEqualsSignIsSkippedWithWarning() throws IOException {
        fx.put("A=B", "x");
        fx.put("C", "y");
        assertThat(fx.env().readDirectory()).containsExactly(entry("C", "y"));
        assertThat(fx.warnings).containsExactly(
                "Skipping 'A=B' in " + fx.paths.directory() + ": a variable name cannot hold '='");
    }

    @Test
    void valueWithNulIsSkippedWithWarning() throws IOException {
        fx.put("NUL", bytes('a', 0, 'b'));
        assertThat(fx.env().readDirectory()).isEmpty();
        assertThat(fx.warnings).containsExactly("Skipping 'NUL' in " + fx.paths.directory()
                + ": the value holds a NUL byte, which no environment value can");
    }

    @Test
    void valueTooLongForExecveIsSkipped_theLongestThatFitsIsKept() throws IOException {
        int max = VariableDirectory.MAX_ENTRY_BYTES;
        fx.put("FITS", "x".repeat(max - "FITS=".length() - 1) + "\n"); // the newline is stripped
        fx.put("BIG", "x".repeat(max - "BIG=".length()));
        fx.put("HUGE", new byte[10 * max]);
        SequencedMap<String, String> read = fx.env().readDirectory();
        assertThat(read).containsOnlyKeys("FITS");
        assertThat(read.get("FITS")).hasSize(max - 6);
        assertThat(fx.warnings).hasSize(2).allSatisfy(w -> assertThat(w).contains("bytes execve(2) accepts"));
        assertThat(fx.warnings.get(1)).startsWith("Skipping 'HUGE'").contains("the file has " + 10 * max + " bytes");
    }

    @Test
    void unreadableFileIsSkippedWithWarning() throws IOException {
        // /proc/self/mem is a regular file that fails with EIO when read at offset 0, even for root
        Files.createSymbolicLink(fx.entry("MEM"), Path.of("/proc/self/mem"));
        fx.put("OK", "o");
        assertThat(fx.env().readDirectory()).containsExactly(entry("OK", "o"));
        assertThat(fx.warnings).containsExactly(
                "Skipping 'MEM' in " + fx.paths.directory() + ": cannot read it: Input/output error (EIO)");
    }

    @Test
    void temporaryFilesOfOurOwnWritesAreIgnoredSilently() throws IOException {
        fx.put(AtomicWriter.TEMP_PREFIX + "123.tmp", "half-written");
        fx.put("A", "1");
        assertThat(fx.env().readDirectory()).containsExactly(entry("A", "1"));
        assertThat(fx.warnings).isEmpty();
    }

    @Test
    void missingDirectoryMeansNoEnvWorkAtAll() throws IOException {
        Files.delete(fx.paths.directory());
        ContainerEnvironment env = fx.env();
        assertThat(env.exists()).isFalse();
        Map<String, String> current = Map.of("A", "1");
        assertThat(env.readDirectory()).isEmpty();
        assertThat(env.importInitial(current)).isEqualTo(current);
        assertThat(env.reimport(current)).isEqualTo(current);
        env.export(current, true);
        try (var files = Files.list(root.resolve("etc"))) {
            assertThat(files).isEmpty(); // no .sh, no .json, no directory
        }
    }

    // ------------------------------------------------------------ phase 1

    @Test
    void importInitial_fillsInOnlyUnsetVariables_dockerEnvWins() throws IOException {
        fx.put("FROM_DOCKER", "dir value");
        fx.put("ONLY_DIR", "d\n");
        fx.put("ALSO_DIR", "a");
        Map<String, String> current = new LinkedHashMap<>();
        current.put("PATH", "/bin");
        current.put("FROM_DOCKER", "docker value");
        SequencedMap<String, String> result = fx.env().importInitial(current);
        assertThat(result).containsExactly(
                entry("PATH", "/bin"), entry("FROM_DOCKER", "docker value"),
                entry("ALSO_DIR", "a"), entry("ONLY_DIR", "d"));
        assertThat(current).containsOnlyKeys("PATH", "FROM_DOCKER"); // a new map; the argument is untouched
    }

    @Test
    void importInitial_anEmptyValueInTheEnvironmentIsSet() throws IOException {
        fx.put("E", "from dir");
        assertThat(fx.env().importInitial(Map.of("E", ""))).containsExactly(entry("E", ""));
    }

    // ------------------------------------------------------------ phase 3

    @Test
    void reimport_clearsAndOverridesFromTheDirectory() throws IOException {
        fx.put("A", "new a");
        fx.put("B", "b");
        Map<String, String> current = new LinkedHashMap<>();
        current.put("A", "old a");
        current.put("GONE", "x");
        assertThat(fx.env().reimport(current)).containsExactly(entry("A", "new a"), entry("B", "b"));
    }

    @Test
    void reimport_keepsHomeUserGroupUidGidShellWhenTheDirectoryLacksThem() throws IOException {
        fx.put("A", "1");
        fx.put("SHELL", "/bin/zsh"); // the directory has this one: it wins
        Map<String, String> current = new LinkedHashMap<>();
        current.put("UID", "0");
        current.put("HOME", "/root");
        current.put("OTHER", "dropped");
        current.put("USER", "root");
        current.put("GROUP", "root");
        current.put("GID", "0");
        current.put("SHELL", "/bin/sh");
        assertThat(fx.env().reimport(current)).containsExactly(
                entry("A", "1"), entry("SHELL", "/bin/zsh"),
                entry("UID", "0"), entry("HOME", "/root"), entry("USER", "root"), entry("GROUP", "root"), entry("GID", "0"));
    }

    @Test
    void reimport_afterExportKeepsTheProtectedNames() throws IOException {
        // the scenario of the contract's Fix: export never writes HOME, so a plain clear would lose it
        ContainerEnvironment env = fx.env();
        Map<String, String> start = Map.of("HOME", "/root", "PATH", "/bin");
        SequencedMap<String, String> imported = env.importInitial(start);
        env.export(imported, true);
        assertThat(Files.exists(fx.entry("HOME"))).isFalse();
        assertThat(env.reimport(imported)).containsOnly(entry("HOME", "/root"), entry("PATH", "/bin"));
    }
}
