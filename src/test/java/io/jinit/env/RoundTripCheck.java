package io.jinit.env;


import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One round trip of a batch of variables through {@link ContainerEnvironment#export} (to the
 * directory, the .sh and the .json) and back (the directory's bytes, {@code readDirectory}, the
 * .sh sourced by real shells, the .json parsed by jackson-jr), checked against an oracle that is
 * written down here independently of the product's code paths.
 *
 * <p>The oracle, per variable name (the contract, and the choices documented on
 * {@link ContainerEnvironment#export}):
 * <ul>
 * <li>empty or holding {@code '='}: no variable; in no file; one warning.
 * <li>holding {@code '/'}: no file in the directory (one warning); in the .sh under its
 *     sanitized name if that is a shell name; in the .json.
 * <li>otherwise: a file in the directory holding exactly the value's bytes; in the .json.
 * <li>in the .sh exactly when the sanitized name matches {@code [A-Za-z_][A-Za-z0-9_]*}; a
 *     leading digit or a non-ASCII letter is not (left out, one warning), so a name such as
 *     {@code 1ABC} is in the directory and the .json but not in the .sh.
 * <li>at most one warning line per name, and one exactly when something was left out.
 * </ul>
 *
 * <p>The two naming rules are written here, not taken from the product: {@link #sanitize} (the
 * reference's {@code re.sub(r'\W', '_', name)}) and {@link #display} (how a warning line quotes a
 * name). So are the bytes: {@link #bytesOf} (PEP 383's surrogateescape, written out here, not the
 * product's {@code RawStrings}), and the directory is read back by {@code sh} and {@code cat}, not
 * through the product's {@code RawPaths}.
 *
 * <p>Plain Java and AssertJ, no property-testing framework: the generators live in
 * {@link EnvRoundTripPropertyTest}.
 */
final class RoundTripCheck {
    /** The shells that source the .sh; {@code sh} is whatever /bin/sh is (dash on Debian). */
    static final List<List<String>> SHELLS = List.of(
            List.of("sh"), List.of("dash"), List.of("bash"), List.of("bash", "--posix"));

    private static final Pattern SHELL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The oracle's bytes of a string, PEP 383's surrogateescape written out: a lone surrogate
     * U+DC80..U+DCFF is the byte 0x80..0xFF it escapes; every other code point is its UTF-8
     * encoding (1 to 4 bytes, by the bit layout of RFC 3629). The generators make no other lone
     * surrogate.
     */
    static byte[] bytesOf(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        s.codePoints().forEach(cp -> {
            if (cp >= 0xDC80 && cp <= 0xDCFF) {
                out.write(cp - 0xDC00);
            } else if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | cp >> 6);
                out.write(0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                out.write(0xE0 | cp >> 12);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else {
                out.write(0xF0 | cp >> 18);
                out.write(0x80 | cp >> 12 & 0x3F);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            }
        });
        return out.toByteArray();
    }

    /** @return the bytes as lowercase hex, for comparing byte strings in assertions */
    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) sb.append(Character.forDigit(b >> 4 & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        return sb.toString();
    }

    /**
     * Every regular file of {@code dir} as {@code sh} and {@code cat} see it: hex of the name's
     * bytes → hex of the content's bytes. Names and values hold no NUL byte (C strings), so the
     * listing is NUL-separated pairs.
     */
    private static Map<String, String> directoryAsShellSeesIt(Path root, Path dir) throws IOException, InterruptedException {
        Path out = root.resolve("listing");
        Process p = new ProcessBuilder("sh", "-c", "cd \"$1\" || exit 99; for f in * .[!.]* ..?*; do "
                + "[ -f \"$f\" ] || continue; printf '%s\\0' \"$f\"; cat -- \"$f\"; printf '\\0'; done", "sh", dir.toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("listing finished").isTrue();
        assertThat(p.exitValue()).as("listing exit status").isZero();
        List<byte[]> parts = split(Files.readAllBytes(out));
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i + 1 < parts.size(); i += 2) files.put(hex(parts.get(i)), hex(parts.get(i + 1)));
        return files;
    }

    /**
     * The reference's shell-name rule, Python 3's {@code re.sub(r'\W', '_', name)} on a str: every
     * code point that is not a word character becomes {@code _}. A word character is {@code _} or
     * what {@code str.isalnum()} accepts: a letter (categories Lu, Ll, Lt, Lm, Lo) or a number
     * (Nd, Nl, No: {@code ²}, {@code ½} and {@code Ⅻ} are word characters). A lone surrogate (a
     * byte that is not UTF-8) is not.
     */
    static String sanitize(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            boolean word = cp == '_'
                    || type == Character.UPPERCASE_LETTER || type == Character.LOWERCASE_LETTER
                    || type == Character.TITLECASE_LETTER || type == Character.MODIFIER_LETTER
                    || type == Character.OTHER_LETTER || type == Character.DECIMAL_DIGIT_NUMBER
                    || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
            if (word) out.appendCodePoint(cp);
            else out.append('_');
        });
        return out.toString();
    }

    /**
     * How a warning line shows a name: in single quotes; {@code \\}, {@code \'}, {@code \n},
     * {@code \r}, {@code \t} escaped; a byte that is not UTF-8 as {@code \xHH}; other control
     * characters, line and paragraph separators and lone surrogates as a backslash, {@code u} and four hex digits.
     */
    static String display(String s) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\\') out.append("\\\\");
            else if (cp == '\'') out.append("\\'");
            else if (cp == '\n') out.append("\\n");
            else if (cp == '\r') out.append("\\r");
            else if (cp == '\t') out.append("\\t");
            else if (cp >= 0xDC80 && cp <= 0xDCFF) out.append("\\x").append(String.format("%02x", cp - 0xDC00));
            else if (Character.isISOControl(cp) || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x2028 || cp == 0x2029
                    || (cp >= 0x80 && cp <= 0x9F)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.append('\'').toString();
    }

    /** Totals over all batches checked by this instance. */
    long variables;
    long validNames;
    long invalidNames;
    long valueBytes;
    long shellRuns;
    long exportNanos;
    long shellNanos;

    /**
     * Exports the batch into a fresh root and checks everything; throws AssertionError on the
     * first mismatch.
     *
     * @param batch names and values, names unique, no NUL anywhere
     */
    void check(SequencedMap<String, String> batch) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory("jinit-env-roundtrip");
        try {
            checkIn(root, batch);
        } finally {
            deleteTree(root);
        }
    }

    private void checkIn(Path root, SequencedMap<String, String> batch) throws IOException, InterruptedException {
        EnvPaths paths = EnvPaths.under(root);
        Files.createDirectories(paths.directory());
        List<String> warnings = new ArrayList<>();
        // fsync off: it changes no byte, only durability (tested in AtomicityTest), and costs ~1 ms a file
        long t0 = System.nanoTime();
        new ContainerEnvironment(paths, warnings::add, ContainerEnvironment.READER_GROUP, false, AtomicWriter.NONE)
                .export(batch, true);
        exportNanos += System.nanoTime() - t0;

        List<String> inDirectory = new ArrayList<>();
        SequencedMap<String, String> inJson = new LinkedHashMap<>();
        SequencedMap<String, String> inShell = new LinkedHashMap<>();
        int expectedWarnings = 0;
        for (Map.Entry<String, String> e : batch.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            variables++;
            valueBytes += bytesOf(value).length;
            boolean variable = !name.isEmpty() && name.indexOf('=') < 0;
            boolean file = variable && name.indexOf('/') < 0 && !name.equals(".") && !name.equals("..");
            String shellName = sanitize(name);
            boolean shell = variable && SHELL_NAME.matcher(shellName).matches();
            boolean warn = !variable || !file || !shell;
            if (warn) invalidNames++;
            else validNames++;

            if (variable) inJson.put(name, value);
            if (file) inDirectory.add(name);
            if (shell) inShell.put(shellName, value); // a later name that sanitizes alike wins
            int warned = 0;
            for (String w : warnings) {
                if (w.startsWith("Variable " + display(name) + " ")
                        || w.startsWith("Skipping variable " + display(name) + ": ")) {
                    warned++;
                }
            }
            assertThat(warned).as("warning lines for %s: %s", display(name), warnings)
                    .isEqualTo(warn ? 1 : 0);
            if (warn) expectedWarnings++;

        }
        assertThat(warnings).as("all warnings").hasSize(expectedWarnings);

        // the directory holds exactly the expected files, each exactly the value's bytes (no
        // leftovers, no files for skipped names), as sh and cat read them
        Map<String, String> files = directoryAsShellSeesIt(root, paths.directory());
        Map<String, String> wantFiles = new LinkedHashMap<>();
        for (String name : inDirectory) wantFiles.put(hex(bytesOf(name)), hex(bytesOf(batch.get(name))));
        assertThat(files).as("directory entries (hex name -> hex content)").containsExactlyInAnyOrderEntriesOf(wantFiles);
        // ... and reads back: each value, minus one trailing newline (the contract's import rule)
        List<String> warningsOnRead = new ArrayList<>();
        SequencedMap<String, String> read = new ContainerEnvironment(paths, warningsOnRead::add).readDirectory();
        SequencedMap<String, String> expectedRead = new LinkedHashMap<>();
        inDirectory.stream()
                .sorted(Comparator.comparing(RoundTripCheck::bytesOf, Arrays::compareUnsigned))
                .forEach(n -> {
                    String v = batch.get(n);
                    expectedRead.put(n, v.endsWith("\n") ? v.substring(0, v.length() - 1) : v);
                });
        assertThat(read).as("readDirectory").containsExactlyEntriesOf(expectedRead);
        assertThat(warningsOnRead).isEmpty();

        // the .json parses back to the same strings, in order
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(paths.jsonFile(), StandardCharsets.US_ASCII));
        assertThat(json).as(".json").containsExactlyEntriesOf(new LinkedHashMap<>(inJson));

        // the .sh sourced by each shell gives every value back, byte for byte
        long t1 = System.nanoTime();
        checkShells(root, paths.shellFile(), inShell);
        shellNanos += System.nanoTime() - t1;
    }

    private void checkShells(Path root, Path shellFile, SequencedMap<String, String> expected)
            throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder(". \"$1\" || exit 99\nprintf '%s\\0'");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            script.append(" \"$").append(e.getKey()).append('"');
            want.writeBytes(bytesOf(e.getValue()));
            want.write(0);
        }
        if (expected.isEmpty()) script.setLength(script.indexOf("printf")); // nothing to print
        Path print = Files.writeString(root.resolve("print.sh"), script.append('\n'));
        byte[] wanted = want.toByteArray();
        // all shells at once, output to files (no pipe to drain while waiting)
        List<Process> running = new ArrayList<>();
        for (int i = 0; i < SHELLS.size(); i++) {
            List<String> cmd = new ArrayList<>(SHELLS.get(i));
            cmd.add(print.toString());
            cmd.add(shellFile.toString());
            running.add(new ProcessBuilder(cmd)
                    .redirectOutput(root.resolve("out" + i).toFile())
                    .redirectError(root.resolve("err" + i).toFile())
                    .start());
        }
        for (int i = 0; i < SHELLS.size(); i++) {
            List<String> shell = SHELLS.get(i);
            Process p = running.get(i);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", shell).isTrue();
            shellRuns++;
            String err = Files.readString(root.resolve("err" + i), StandardCharsets.UTF_8);
            byte[] out = Files.readAllBytes(root.resolve("out" + i));
            assertThat(p.exitValue()).as("%s exit status; stderr: %s", shell, err).isZero();
            assertThat(err).as("%s stderr", shell).isEmpty();
            if (!Arrays.equals(out, wanted)) {
                throw new AssertionError(shell + " gave back other bytes: " + firstDifference(out, wanted, expected));
            }
        }
    }

    /** Names the first variable whose value came back wrong. */
    private static String firstDifference(byte[] out, byte[] wanted, SequencedMap<String, String> expected) {
        List<byte[]> got = split(out);
        int i = 0;
        for (Map.Entry<String, String> e : expected.entrySet()) {
            byte[] w = bytesOf(e.getValue());
            if (i >= got.size()) return "output ends before $" + e.getKey();
            if (!Arrays.equals(got.get(i), w)) {
                return "$" + e.getKey() + ": wanted " + w.length + " bytes " + hexHead(w) + ", got "
                        + got.get(i).length + " bytes " + hexHead(got.get(i));
            }
            i++;
        }
        return "extra output after the last value";
    }

    private static List<byte[]> split(byte[] out) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                parts.add(Arrays.copyOfRange(out, start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    private static String hexHead(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 48); i++) sb.append(String.format("%02x", b[i] & 0xFF));
        return b.length > 48 ? sb + "..." : sb.toString();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
