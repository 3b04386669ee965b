package io.jinit.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file is replaced by a rename: a failure or a crash between writing and renaming leaves
 * the old file whole (nothing is ever half-written), and a reader never sees a partial file.
 */
class AtomicityTest {
    @TempDir
    Path root;

    EnvFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new EnvFixture(root).withDirectory();
    }

    private static final String OLD_SH = "export OLD='" + "o".repeat(100_000) + "'\n";

    private static Map<String, String> vars(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private List<Path> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(AtomicWriter.TEMP_PREFIX)).toList();
        }
    }

    @Test
    void failureBeforeTheRenameOfTheShellFileLeavesTheOldOneWhole() throws IOException {
        Files.writeString(fx.paths.shellFile(), OLD_SH);
        Files.writeString(fx.paths.jsonFile(), "{\"OLD\": \"json\"}");
        List<Path> seenTemps = new ArrayList<>();
        ContainerEnvironment env = fx.env("none", (temp, target) -> {
            seenTemps.add(temp);
            if (target.equals(fx.paths.shellFile())) {
                // the temporary file is complete, in the same directory, with the final mode
                assertThat(temp.getParent()).isEqualTo(target.toAbsolutePath().getParent());
                assertThat(Files.readString(temp)).isEqualTo("export NEW=" + "n".repeat(10) + "\n");
                assertThat(EnvFixture.mode(temp)).isEqualTo("rw-r-----");
                throw new IOException("injected: disk full");
            }
        });
        assertThatThrownBy(() -> env.export(vars("NEW", "n".repeat(10)), true)).hasMessage("injected: disk full");
        assertThat(Files.readString(fx.paths.shellFile())).isEqualTo(OLD_SH);
        assertThat(Files.readString(fx.paths.jsonFile())).isEqualTo("{\"OLD\": \"json\"}");
        assertThat(leftovers(root.resolve("etc"))).isEmpty();
        assertThat(seenTemps).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotExist());
    }

    @Test
    void failureBeforeTheRenameOfAVariableFileLeavesItWhole_isAWarning_theRestGoesOn() throws IOException {
        fx.put("B", "old-B");
        ContainerEnvironment env = fx.env("none", (temp, target) -> {
            if (target.getFileName().toString().equals("B")) throw new IOException("injected");
        });
        env.export(vars("A", "new-A", "B", "new-B", "C", "new-C"), true);
        assertThat(fx.read("B")).asString().isEqualTo("old-B");
        assertThat(fx.read("A")).asString().isEqualTo("new-A");
        assertThat(fx.read("C")).asString().isEqualTo("new-C");
        assertThat(fx.warnings).containsExactly("Variable 'B' not written to " + fx.paths.directory() + " (injected)");
        assertThat(leftovers(fx.paths.directory())).isEmpty();
        assertThat(fx.shell()).isEqualTo("export A=new-A\nexport B=new-B\nexport C=new-C\n");
    }

    // ------------------------------------------------------------ a real crash

    private Process runChild(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String finish(Process p, int expectedExit) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(expectedExit);
        return out;
    }

    @Test
    void jvmKilledBetweenWriteAndRenameOfAVariableFile_oldFileWhole_leftoverIgnoredThenRemoved() throws Exception {
        fx.put("B", "old-B\n");
        Files.writeString(fx.paths.shellFile(), OLD_SH);
        finish(runChild(ExportChild.class.getName(), "crash", root.toString(), "B"), ExportChild.HALTED);

        assertThat(fx.read("A")).asString().isEqualTo("new-A"); // written before the crash
        assertThat(fx.read("B")).asString().isEqualTo("old-B\n"); // whole, old
        List<Path> left = leftovers(fx.paths.directory());
        assertThat(left).singleElement().satisfies(t -> assertThat(Files.readString(t)).isEqualTo("new-B"));
        assertThat(Files.readString(fx.paths.shellFile())).isEqualTo(OLD_SH); // never reached

        ContainerEnvironment env = fx.env();
        assertThat(env.readDirectory()).containsExactly(entry("A", "new-A"), entry("B", "old-B"));
        assertThat(fx.warnings).isEmpty();
        env.export(vars("A", "new-A", "B", "new-B"), true);
        assertThat(leftovers(fx.paths.directory())).isEmpty();
        assertThat(fx.read("B")).asString().isEqualTo("new-B");
    }

    @Test
    void jvmKilledBetweenWriteAndRenameOfTheShellFile_oldFileWhole() throws Exception {
        Files.writeString(fx.paths.shellFile(), OLD_SH);
        finish(runChild(ExportChild.class.getName(), "crash", root.toString(), "container_environment.sh"),
                ExportChild.HALTED);
        assertThat(Files.readString(fx.paths.shellFile())).isEqualTo(OLD_SH);
        assertThat(leftovers(root.resolve("etc"))).singleElement()
                .satisfies(t -> assertThat(Files.readString(t)).isEqualTo("export A=new-A\nexport B=new-B\n"));
        assertThat(fx.paths.jsonFile()).doesNotExist();
    }

    // ------------------------------------------------------------ readers

    @Test
    void aConcurrentReaderNeverSeesAPartialFile() throws Exception {
        Map<String, String> first = new LinkedHashMap<>();
        Map<String, String> second = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            first.put("V" + i, "a".repeat(1000));
            second.put("V" + i, "b'" + "b".repeat(500));
        }
        ContainerEnvironment env = fx.env("none", AtomicWriter.NONE);
        env.export(first, false);
        byte[] sh1 = Files.readAllBytes(fx.paths.shellFile());
        byte[] json1 = Files.readAllBytes(fx.paths.jsonFile());
        env.export(second, false);
        byte[] sh2 = Files.readAllBytes(fx.paths.shellFile());
        byte[] json2 = Files.readAllBytes(fx.paths.jsonFile());
        Set<String> shells = Set.of(new String(sh1, StandardCharsets.UTF_8), new String(sh2, StandardCharsets.UTF_8));
        Set<String> jsons = Set.of(new String(json1, StandardCharsets.UTF_8), new String(json2, StandardCharsets.UTF_8));

        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 60; i++) env.export(i % 2 == 0 ? first : second, false);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        int reads = 0;
        while (writer.isAlive()) {
            assertThat(Files.readString(fx.paths.shellFile())).isIn(shells);
            assertThat(Files.readString(fx.paths.jsonFile())).isIn(jsons);
            reads++;
        }
        writer.join();
        assertThat(failure.get()).isNull();
        assertThat(reads).isGreaterThan(10);
    }

    // ------------------------------------------------------------ startup time

    @Test
    void jacksonIsLoadedOnlyWhenTheJsonIsWritten() throws Exception {
        String out = finish(runChild("-Xlog:class+load=info:stdout", ExportChild.class.getName(), "lazy",
                root.resolve("lazy").toString()), 0);
        List<String> lines = out.lines().toList();
        int read = lines.indexOf("MARK read");
        int exported = lines.indexOf("MARK exported");
        assertThat(lines.indexOf("MARK no-directory")).as(out).isNotNegative().isLessThan(read);
        assertThat(read).as(out).isLessThan(exported);
        assertThat(lines.subList(0, read)).as("classes loaded before the first export")
                .noneMatch(l -> l.contains("com.fasterxml.jackson"))
                .anyMatch(l -> l.contains("io.jinit.env.ContainerEnvironment ")); // the log works
        assertThat(lines.subList(read, exported)).anyMatch(l -> l.contains("com.fasterxml.jackson"));
    }
}
