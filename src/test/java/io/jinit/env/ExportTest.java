package io.jinit.env;

import io.jinit.bytes.RawPaths;

import static io.jinit.env.EnvFixture.bytes;
import static io.jinit.env.EnvFixture.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import io.jinit.bytes.RawStrings;
import io.jinit.testing.Reference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing the directory, the .sh and the .json (contract, "Environment files"). */
class ExportTest {
    @TempDir
    Path root;

    EnvFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new EnvFixture(root).withDirectory();
    }

    private static SequencedMap<String, String> env(String... namesAndValues) {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) m.put(namesAndValues[i], namesAndValues[i + 1]);
        return m;
    }

    private static final String RAW = RawStrings.decode(bytes('r', 0xFF, 0xE9, '\n')); // not UTF-8

    @Test
    void directoryFilesHoldExactlyTheValueBytes() throws IOException {
        String rawName = RawStrings.decode(bytes('N', 0xE9));
        fx.env().export(env("PLAIN", "v", "NL", "v\n", "CR", "a\r", "EMPTY", "", "RAW", RAW,
                "ÄPFEL", "süß", rawName, "latin1 name"), true);
        assertThat(fx.read("PLAIN")).asString().isEqualTo("v");
        assertThat(fx.read("NL")).asString().isEqualTo("v\n"); // written as is, as the reference does
        assertThat(fx.read("CR")).asString().isEqualTo("a\r");
        assertThat(fx.read("EMPTY")).isEmpty();
        assertThat(fx.read("RAW")).containsExactly(bytes('r', 0xFF, 0xE9, '\n'));
        assertThat(fx.read("ÄPFEL")).containsExactly("süß".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.exists(fx.paths.directory().resolve("N\u00e9"))).isFalse(); // not the UTF-8 name
        assertThat(fx.read(rawName)).asString().isEqualTo("latin1 name");
        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names.map(p -> RawStrings.decode(RawPaths.fileName(p))))
                    .containsExactlyInAnyOrder("PLAIN", "NL", "CR", "EMPTY", "RAW", "ÄPFEL", rawName);
        }
        assertThat(fx.warnings).singleElement().asString().startsWith("Variable 'ÄPFEL' left out of");
    }

    @Test
    void exportThenReadDirectoryGivesTheValuesBack() throws IOException {
        SequencedMap<String, String> e = env("A", "1", "B", RAW + "x", "C", "a\r\nb");
        fx.env().export(e, true);
        assertThat(fx.env().readDirectory()).isEqualTo(e);
    }

    @Test
    void protectedNamesGoOnlyToTheJson() throws IOException {
        SequencedMap<String, String> e = env("HOME", "/root", "USER", "root", "GROUP", "root", "UID", "0",
                "GID", "0", "SHELL", "/bin/bash", "A", "1");
        fx.env().export(e, true);
        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly("A");
        }
        assertThat(fx.shell()).isEqualTo("export A=1\n");
        assertThat(fx.json()).isEqualTo("{\"HOME\": \"/root\", \"USER\": \"root\", \"GROUP\": \"root\", "
                + "\"UID\": \"0\", \"GID\": \"0\", \"SHELL\": \"/bin/bash\", \"A\": \"1\"}");
    }

    @Test
    void withoutToDirectoryOnlyShAndJsonAreWritten() throws IOException {
        fx.env().export(env("A", "1"), false);
        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names).isEmpty();
        }
        assertThat(fx.shell()).isEqualTo("export A=1\n");
        assertThat(fx.json()).isEqualTo("{\"A\": \"1\"}");
    }

    @Test
    void shellFileHasOneExportLinePerVariableInMapOrder() throws IOException {
        fx.env().export(env("Z", "last?", "PATH", "/usr/bin:/bin", "A-B.c", "x y", "Q", "it's", "E", "",
                "U", "été", "R", RAW), false);
        assertThat(fx.shell()).isEqualTo("""
                export Z='last?'
                export PATH=/usr/bin:/bin
                export A_B_c='x y'
                export Q='it'"'"'s'
                export E=''
                export U=été
                export R='%s'
                """.formatted(RAW));
        assertThat(Files.readAllBytes(fx.paths.shellFile()))
                .endsWith(bytes('R', '=', '\'', 'r', 0xFF, 0xE9, '\n', '\'', '\n'));
    }

    @Test
    void jsonIsOneAsciiObjectOfAllVariablesAsPythonWritesIt() throws IOException {
        fx.env().export(env("PATH", "/bin", "HOME", "/root", "V", "xé\n\"\\/'~\u007f\t\u0001",
                "EMOJI", "\uD83D\uDE00", "R", RAW), false);
        // the exact text of Python 3's json.dumps(dict(os.environ)) for this environment
        assertThat(fx.json()).isEqualTo("{\"PATH\": \"/bin\", \"HOME\": \"/root\", "
                + "\"V\": \"x\\u00e9\\n\\\"\\\\/'~\\u007f\\t\\u0001\", \"EMOJI\": \"\\ud83d\\ude00\", "
                + "\"R\": \"r\\udcff\\udce9\\n\"}");
        Map<String, Object> parsed = JSON.std.mapFrom(fx.json());
        assertThat(parsed).isEqualTo(env("PATH", "/bin", "HOME", "/root", "V", "xé\n\"\\/'~\u007f\t\u0001",
                "EMOJI", "\uD83D\uDE00", "R", RAW));
    }

    @Test
    void jsonOfNoVariablesIsAnEmptyObject() throws IOException {
        fx.env().export(Map.of(), true);
        assertThat(fx.json()).isEqualTo("{}");
        assertThat(fx.shell()).isEmpty();
    }

    /**
     * The .sh and .json are byte-identical to what the reference's own functions make of the same
     * raw environment: {@code export_envvars}, {@code shquote} and {@code sanitize_shenvname}
     * are taken out of {@code reference/phusion-my_init/my_init} itself (its top-level statements
     * before the command line is parsed, by Python's {@code ast}, so its {@code main} never runs) and called with
     * {@code os.environ} set to the environment, decoded with surrogateescape as Python does.
     * Their {@code /etc} paths are redirected to a temporary directory, and the files are opened
     * with {@code errors='surrogateescape'} (the reference opens them strictly and crashes on a
     * byte that is not UTF-8, a difference the contract fixes).
     */
    @Test
    void shAndJsonAreByteIdenticalToThePythonReference() throws Exception {
        Path myInit = Reference.myInit();
        String python = Reference.python3();
        SequencedMap<String, String> e = env("PATH", "/usr/local/bin:/bin", "A-B", "x y", "Q", "it's",
                "E", "", "U", "été 日本", "R", RAW, "N", "a\nb\r", "S", "$x `y` \\z \"", "Z", "@%+=:,./-",
                "ÄPFEL", "1", "HOME", "/root", "T", "\t\u007f\u0085\u2028", "EM", "\uD83D\uDE00",
                "X²", "2", "SQ_²", "3", "A.B", "4", "MID·DOT", "5", "NUM", "x²½Ⅻ", "EUR", "5€");
        fx.env().export(e, false);

        ByteArrayOutputStream input = new ByteArrayOutputStream();
        e.forEach((k, v) -> {
            input.writeBytes(RawStrings.encode(k + "=" + v));
            input.write(0);
        });
        Path in = Files.write(root.resolve("environ"), input.toByteArray());
        Path refRoot = Files.createDirectories(root.resolve("ref"));
        Files.createDirectories(refRoot.resolve("etc/container_environment"));
        String driver = """
                import ast, builtins, os, sys, types
                source, environ, root = sys.argv[1], sys.argv[2], sys.argv[3]
                tree = ast.parse(open(source, encoding='utf-8').read(), source)
                keep = []  # the definitions: every top-level statement before the command line is parsed
                for n in tree.body:
                    if 'argparse.' in ast.unparse(n): break
                    keep.append(n)
                ref = {'__name__': 'reference_my_init'}
                exec(compile(ast.Module(body=keep, type_ignores=[]), source, 'exec'), ref)
                def inside(path):
                    return root + path if path.startswith('/etc/') else path
                def redirected_open(path, mode='r', *args, **kwargs):
                    if 'b' not in mode:
                        kwargs.setdefault('encoding', 'utf-8')
                        kwargs.setdefault('errors', 'surrogateescape')
                    return builtins.open(inside(path), mode, *args, **kwargs)
                ref['open'] = redirected_open
                ref['os'] = types.SimpleNamespace(environ=os.environ,
                        path=types.SimpleNamespace(exists=lambda p: os.path.exists(inside(p))))
                os.environ.clear()
                for entry in open(environ, 'rb').read().split(b'\\0')[:-1]:
                    k, v = entry.split(b'=', 1)
                    os.environ[k.decode('utf-8', 'surrogateescape')] = v.decode('utf-8', 'surrogateescape')
                ref['export_envvars'](to_dir=False)
                """;
        Path script = Files.writeString(root.resolve("driver.py"), driver);
        Process p = new ProcessBuilder(python, script.toString(), myInit.toString(), in.toString(), refRoot.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("the reference's export_envvars: %s", out).isZero();

        byte[] referenceSh = Files.readAllBytes(refRoot.resolve("etc/container_environment.sh"));
        String ours = fx.shell();
        String theirs = RawStrings.decode(referenceSh);
        // the known differences: the reference also writes names that no shell can source; we leave them out
        for (String unsourceable : List.of("export ÄPFEL=1\n", "export X²=2\n", "export SQ_²=3\n")) {
            assertThat(theirs).contains(unsourceable);
            theirs = theirs.replace(unsourceable, "");
        }
        assertThat(theirs).contains("export A_B=4\n", "export MID_DOT=5\n", "export A_B='x y'\n");
        assertThat(ours).isEqualTo(theirs);
        assertThat(fx.json()).isEqualTo(Files.readString(refRoot.resolve("etc/container_environment.json")));
    }

    // ------------------------------------------------------------ odd names and values

    @Test
    void nameWithSlashIsNotWrittenToTheDirectory_oneWarning() throws IOException {
        fx.env().export(env("A/B", "1", "C", "2"), true);
        assertThat(fx.warnings).containsExactly("Variable 'A/B' not written to " + fx.paths.directory()
                + " (a file name cannot hold '/')");
        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly("C");
        }
        assertThat(fx.shell()).isEqualTo("export A_B=1\nexport C=2\n"); // sanitized, as the contract says
        assertThat(fx.json()).isEqualTo("{\"A/B\": \"1\", \"C\": \"2\"}");
    }

    @Test
    void nameWithLeadingDigitOrNonAsciiLetterIsLeftOutOfTheShellFile_oneWarning() throws IOException {
        fx.env().export(env("1ABC", "1", "ÄPFEL", "2", "OK", "3"), true);
        assertThat(fx.warnings).containsExactly(
                "Variable '1ABC' left out of " + fx.paths.shellFile() + " ('1ABC' is not a shell variable name)",
                "Variable 'ÄPFEL' left out of " + fx.paths.shellFile() + " ('ÄPFEL' is not a shell variable name)");
        assertThat(fx.read("1ABC")).asString().isEqualTo("1"); // a valid file name: written
        assertThat(fx.read("ÄPFEL")).asString().isEqualTo("2");
        assertThat(fx.shell()).isEqualTo("export OK=3\n");
        assertThat(fx.json()).isEqualTo("{\"1ABC\": \"1\", \"\\u00c4PFEL\": \"2\", \"OK\": \"3\"}");
    }

    @Test
    void oneWarningLineNamesEverythingSkippedForAVariable() throws IOException {
        fx.env().export(env("1/x", "v"), true);
        assertThat(fx.warnings).containsExactly("Variable '1/x' not written to " + fx.paths.directory()
                + " (a file name cannot hold '/'); left out of " + fx.paths.shellFile()
                + " ('1_x' is not a shell variable name)");
    }

    @Test
    void emptyNameEqualsSignOrNulIsNoVariable_skippedEverywhere_oneWarning() throws IOException {
        fx.env().export(env("", "e", "A=B", "x", "N\0", "y", "V", "a\0b", "OK", "1"), true);
        assertThat(fx.warnings).containsExactly(
                "Skipping variable '': the name is empty",
                "Skipping variable 'A=B': a variable name cannot hold '='",
                "Skipping variable 'N\\u0000': a variable name cannot hold NUL",
                "Skipping variable 'V': a value cannot hold NUL");
        assertThat(fx.shell()).isEqualTo("export OK=1\n");
        assertThat(fx.json()).isEqualTo("{\"OK\": \"1\"}");
        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactly("OK");
        }
    }

    @Test
    void dotDotAndTooLongNamesAreNotFiles() throws IOException {
        String longName = "L".repeat(256);
        fx.env().export(env(".", "1", "..", "2", longName, "3", "L".repeat(255), "4"), true);
        assertThat(fx.warnings).containsExactly(
                "Variable '.' not written to " + fx.paths.directory() + " ('.' and '..' are not file names)",
                "Variable '..' not written to " + fx.paths.directory() + " ('.' and '..' are not file names)",
                "Variable '" + longName + "' not written to " + fx.paths.directory() + " (the name is longer than 255 bytes)");
        assertThat(fx.read("L".repeat(255))).asString().isEqualTo("4");
        assertThat(Files.isDirectory(root.resolve("etc"))).isTrue();
        assertThat(fx.shell()).contains("export _=1\nexport __=2\n"); // sanitized as the contract says
    }

    @Test
    void aVariableFileThatCannotBeWrittenIsAWarning_theRestIsWritten() throws IOException {
        Files.createDirectories(fx.entry("BLOCKED").resolve("inside")); // a non-empty directory in the way
        fx.env().export(env("A", "1", "BLOCKED", "2", "C", "3"), true);
        assertThat(fx.warnings).singleElement().asString()
                .startsWith("Variable 'BLOCKED' not written to " + fx.paths.directory() + " (");
        assertThat(fx.read("A")).asString().isEqualTo("1");
        assertThat(fx.read("C")).asString().isEqualTo("3");
        assertThat(fx.shell()).isEqualTo("export A=1\nexport BLOCKED=2\nexport C=3\n");
        try (var names = Files.list(fx.paths.directory())) {
            assertThat(names.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("A", "BLOCKED", "C");
        }
    }

    @Test
    void shellFileThatCannotBeWrittenThrows_andLeavesNoTemporaryFile() throws IOException {
        Files.createDirectories(fx.paths.shellFile().resolve("inside"));
        assertThatThrownBy(() -> fx.env().export(env("A", "1"), true)).isInstanceOf(FileSystemException.class);
        try (var names = Files.list(root.resolve("etc"))) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("container_environment", "container_environment.sh");
        }
    }

    @Test
    void aFileAlreadyHoldingTheValueIsLeftAlone_othersAreReplaced() throws IOException {
        Path same = fx.put("SAME", "v");
        Path other = fx.put("OTHER", "old");
        Object sameKey = Files.readAttributes(same, PosixFileAttributes.class).fileKey();
        Object otherKey = Files.readAttributes(other, PosixFileAttributes.class).fileKey();
        fx.env().export(env("SAME", "v", "OTHER", "new"), true);
        assertThat(Files.readAttributes(same, PosixFileAttributes.class).fileKey()).isEqualTo(sameKey);
        assertThat(Files.readAttributes(other, PosixFileAttributes.class).fileKey()).isNotEqualTo(otherKey);
        assertThat(fx.read("OTHER")).asString().isEqualTo("new");
    }

    @Test
    void aSymlinkInTheDirectoryIsReplacedNotFollowed() throws IOException {
        Path outside = Files.writeString(root.resolve("outside"), "keep me");
        Files.createSymbolicLink(fx.entry("LINK"), outside);
        fx.env().export(env("LINK", "new"), true);
        assertThat(Files.readString(outside)).isEqualTo("keep me");
        assertThat(Files.isSymbolicLink(fx.entry("LINK"))).isFalse();
        assertThat(fx.read("LINK")).asString().isEqualTo("new");
    }

    // ------------------------------------------------------------ permissions

    @Test
    void modesAre0700And0640_alsoWhenTheFilesExistedWithWiderModes() throws IOException {
        for (boolean toDirectory : new boolean[] {true, false}) {
            Files.writeString(fx.paths.shellFile(), "old");
            Files.writeString(fx.paths.jsonFile(), "old");
            Files.setPosixFilePermissions(fx.paths.directory(), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(fx.paths.shellFile(), PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.setPosixFilePermissions(fx.paths.jsonFile(), PosixFilePermissions.fromString("rwxrwxrwx"));
            fx.env().export(env("SECRET", "s3cr3t"), toDirectory);
            assertThat(mode(fx.paths.directory())).as("dir, toDirectory=" + toDirectory).isEqualTo("rwx------");
            assertThat(mode(fx.paths.shellFile())).as(".sh").isEqualTo("rw-r-----");
            assertThat(mode(fx.paths.jsonFile())).as(".json").isEqualTo("rw-r-----");
            assertThat(mode(fx.entry("SECRET"))).isEqualTo("rw-------");
        }
    }

    @Test
    void groupIsTheReaderGroupWhereItExists() throws IOException {
        GroupPrincipal daemon = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("daemon");
        fx.env("daemon", AtomicWriter.NONE).export(env("A", "1"), true);
        assertThat(group(fx.paths.shellFile())).isEqualTo(daemon);
        assertThat(group(fx.paths.jsonFile())).isEqualTo(daemon);
        assertThat(group(fx.entry("A"))).isNotEqualTo(daemon); // the directory's files keep the default
        assertThat(fx.warnings).isEmpty();
    }

    @Test
    void aMissingReaderGroupIsIgnored() throws IOException {
        Files.writeString(fx.paths.shellFile(), "old");
        GroupPrincipal before = group(fx.paths.shellFile());
        fx.env("jinit-no-such-group", AtomicWriter.NONE).export(env("A", "1"), true);
        fx.env().export(env("A", "1"), true); // the production group docker_env: absent on test machines
        assertThat(group(fx.paths.shellFile())).isEqualTo(before);
        assertThat(fx.shell()).isEqualTo("export A=1\n");
        assertThat(fx.warnings).isEmpty();
    }

    private static GroupPrincipal group(Path p) throws IOException {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).group();
    }


    @Test
    void leftoverTemporaryFilesAreRemovedByTheNextExportToTheDirectory() throws IOException {
        Path inDir = fx.put(AtomicWriter.TEMP_PREFIX + "1.tmp", "x");
        Path inEtc = Files.writeString(root.resolve("etc").resolve(AtomicWriter.TEMP_PREFIX + "2.tmp"), "y");
        fx.env().export(env("A", "1"), false);
        assertThat(inDir).exists(); // only the once-per-boot export to the directory cleans up
        fx.env().export(env("A", "1"), true);
        assertThat(inDir).doesNotExist();
        assertThat(inEtc).doesNotExist();
        assertThat(fx.warnings).isEmpty();
    }
}
