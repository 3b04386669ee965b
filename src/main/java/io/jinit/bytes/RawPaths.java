package io.jinit.bytes;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Path;

/**
 * File names as raw bytes, independent of the JVM's file-name charset.
 *
 * <p>Java turns file names into strings with {@code sun.jnu.encoding}, which follows the locale:
 * in a container without {@code LANG} it is ASCII, and even under UTF-8 bytes that are not
 * UTF-8 become {@code U+FFFD}. Both lose bytes. A {@code file:} URI, however, carries the exact
 * bytes percent-encoded in both directions ({@link Path#toUri()} encodes the bytes the path
 * holds, {@link Path#of(URI)} decodes escapes straight into bytes), so names go through URIs here.
 */
public final class RawPaths {
    private RawPaths() {}

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * @param entry a path with a file name, e.g. an entry of a directory stream
     * @return the exact bytes of its last name element
     */
    public static byte[] fileName(Path entry) {
        String raw = entry.toUri().getRawPath();
        int end = raw.length();
        if (end > 1 && raw.charAt(end - 1) == '/') end--; // toUri() adds '/' for a directory
        int start = raw.lastIndexOf('/', end - 1) + 1;
        return percentDecode(raw, start, end);
    }

    /**
     * @param directory a directory
     * @param name      one file name element: not empty, no {@code /} and no NUL
     * @return the absolute path of {@code name} in {@code directory}, with exactly these bytes
     * @throws IllegalArgumentException if the name is empty or holds {@code /} or NUL
     */
    public static Path resolve(Path directory, byte[] name) {
        if (name.length == 0) throw new IllegalArgumentException("empty file name");
        for (byte b : name) {
            if (b == '/' || b == 0) throw new IllegalArgumentException("'/' or NUL in a file name");
        }
        String dir = directory.toAbsolutePath().toUri().toString();
        StringBuilder uri = new StringBuilder(dir.length() + 1 + name.length * 3).append(dir);
        if (dir.charAt(dir.length() - 1) != '/') uri.append('/');
        for (byte b : name) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                uri.append((char) c);
            } else {
                uri.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return Path.of(URI.create(uri.toString()));
    }

    /**
     * @param path any path
     * @return the exact bytes of its absolute form, e.g. for {@code argv[0]}
     */
    public static byte[] bytes(Path path) {
        String raw = path.toAbsolutePath().toUri().getRawPath();
        int end = raw.length();
        if (end > 1 && raw.charAt(end - 1) == '/') end--;
        return percentDecode(raw, 0, end);
    }

    /**
     * @param path any path
     * @return its absolute form as a lossless string ({@link RawStrings#decode}): for argv and
     *     log lines, where {@code Path.toString()} would turn bytes into {@code ?} without a UTF-8 locale
     */
    public static String string(Path path) {
        return RawStrings.decode(bytes(path));
    }

    private static byte[] percentDecode(String s, int start, int end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < end) {
                out.write(Integer.parseInt(s, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.write(c); // the raw path of a file URI is ASCII: non-ASCII bytes are escaped
            }
        }
        return out.toByteArray();
    }
}
