package io.jinit.process;

import io.jinit.bytes.RawPaths;
import io.jinit.bytes.RawStrings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The interpreter a script names on its {@code #!} line, for the reason of a failed start: when
 * {@code execve(2)} fails with {@code ENOENT} for a file that exists, the missing file is the
 * interpreter (execve(2), "Interpreter scripts"), typically {@code /bin/sh\r} in a script saved
 * with Windows (CRLF) line endings.
 */
final class Interpreter {
    /** How much of the file the kernel reads for the {@code #!} line (BINPRM_BUF_SIZE). */
    private static final int LINE_MAX = 256;

    private Interpreter() {}

    /**
     * Explains an {@code ENOENT} for a program that exists: its {@code #!} interpreter is missing.
     *
     * @param program the path that was executed (with a {@code /})
     * @param error   the errno text, e.g. {@code No such file or directory}
     * @return e.g. {@code bad interpreter "/bin/sh\r" on its #! line: No such file or directory (the
     *         file has Windows CRLF line endings: ...)}, or {@code null} when the program does not
     *         exist, has no {@code #!} line or its interpreter exists
     */
    static String missing(String program, String error) {
        Path path = path(program);
        if (path == null || !Files.isRegularFile(path)) return null;
        String interpreter = of(path);
        if (interpreter == null || interpreter.isEmpty() || Files.exists(pathOrNull(interpreter))) return null;
        StringBuilder reason = new StringBuilder("bad interpreter \"").append(visible(interpreter))
                .append("\" on its #! line: ").append(error);
        if (interpreter.endsWith("\r")) {
            reason.append(" (the file has Windows CRLF line endings: convert it with dos2unix or sed -i 's/\\r$//')");
        }
        return reason.toString();
    }

    /**
     * @param script a file
     * @return the interpreter of its {@code #!} line as the kernel splits it (up to the first
     *         space, tab or newline; a {@code \r} stays part of the name), or null when there is none
     */
    static String of(Path script) {
        byte[] head;
        try (InputStream in = Files.newInputStream(script)) {
            head = in.readNBytes(LINE_MAX);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (head.length < 2 || head[0] != '#' || head[1] != '!') return null;
        int start = 2;
        while (start < head.length && (head[start] == ' ' || head[start] == '\t')) start++;
        int end = start;
        while (end < head.length && head[end] != ' ' && head[end] != '\t' && head[end] != '\n') end++;
        return RawStrings.decode(Arrays.copyOfRange(head, start, end));
    }

    /** @return the text with control characters shown as {@code \r}, {@code \t} or {@code \xNN} */
    static String visible(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    private static Path path(String program) {
        try {
            byte[] raw = RawStrings.encode(program);
            int slash = -1;
            for (int i = 0; i < raw.length; i++) if (raw[i] == '/') slash = i;
            if (slash < 0 || slash == raw.length - 1) return null;
            String dir = new String(raw, 0, Math.max(slash, 1), StandardCharsets.ISO_8859_1);
            if (!dir.chars().allMatch(c -> c < 0x80)) return Path.of(program);
            return RawPaths.resolve(Path.of(dir), Arrays.copyOfRange(raw, slash + 1, raw.length));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Path pathOrNull(String interpreter) {
        try {
            return Path.of(interpreter);
        } catch (RuntimeException e) {
            return Path.of("/nonexistent-interpreter");
        }
    }
}
