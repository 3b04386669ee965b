package io.jinit.env;

import io.jinit.bytes.RawPaths;
import io.jinit.bytes.RawStrings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * The variables directory ({@code /etc/container_environment/}): one regular file per variable,
 * the file name is the name and the content the value, both as raw bytes (names and values are
 * {@link RawStrings#decode decoded} strings, file names go through {@link RawPaths}, whatever the
 * JVM's file-name charset). This class reads it, applies its two import rules (fill-in at boot,
 * clear and override after each startup script) and writes single variable files.
 *
 * <p>If the directory does not exist, nothing is read and nothing written: {@link #exists()}
 * gates all env work. Single entries never fail a call: one warning line each
 * ({@link Diagnostics#entrySkipped}) or a reason returned from {@link #write}.
 */
final class VariableDirectory {
    /**
     * Longest {@code NAME=VALUE} string, with its terminating NUL, that {@code execve(2)} accepts
     * in an environment: Linux's {@code MAX_ARG_STRLEN}, 32 pages of 4 KiB. A longer one would
     * make every later program start fail with {@code E2BIG}, so import skips it.
     */
    static final int MAX_ENTRY_BYTES = 32 * 4096;

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> VARIABLE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Longest file name on Linux file systems ({@code NAME_MAX}). */
    private static final int NAME_MAX = 255;

    private final Path directory;
    private final AtomicWriter writer;
    private final Diagnostics diagnostics;
    private boolean unsynced; // a variable file was replaced since the last syncIfChanged

    /**
     * @param directory   the variables directory ({@link EnvPaths#directory()})
     * @param writer      writes each variable file
     * @param diagnostics receives a line per entry that {@link #read} skips
     */
    VariableDirectory(Path directory, AtomicWriter writer, Diagnostics diagnostics) {
        this.directory = directory;
        this.writer = writer;
        this.diagnostics = diagnostics;
    }

    /** @return true if the directory exists (a directory, or a symlink to one) */
    boolean exists() {
        return Files.isDirectory(directory);
    }

    // ---------------------------------------------------------------- import

    /**
     * Reads the directory: one regular file per variable, the file name is the name, the content
     * the value minus exactly one trailing {@code \n} (nothing else changes: a {@code \r} stays,
     * bytes that are not UTF-8 stay). Symlinks are followed.
     *
     * <p>Skipped, each with one warning line: a sub-directory; anything else that is not a
     * regular file (FIFO, socket, device, broken symlink); a name holding {@code '='} (no
     * variable can be named so); a value holding a NUL byte (no environment value can); a
     * {@code NAME=VALUE} longer than {@link #MAX_ENTRY_BYTES}; a file that cannot be read.
     * Ignored silently: temporary files of {@link AtomicWriter} (names starting with
     * {@link AtomicWriter#TEMP_PREFIX}, left behind by a crash between write and rename).
     *
     * @return the variables sorted by the bytes of their names (unsigned, like {@code ls} in the
     *     C locale); empty if the directory does not exist
     * @throws IOException if the directory exists but cannot be listed (e.g.
     *     {@link AccessDeniedException}); single files never cause one
     */
    SequencedMap<String, String> read() throws IOException {
        SequencedMap<String, String> result = new LinkedHashMap<>();
        if (!exists()) return result;
        record Entry(byte[] name, Path path) {}
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path path : stream) entries.add(new Entry(RawPaths.fileName(path), path));
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        entries.sort(Comparator.comparing(Entry::name, Arrays::compareUnsigned));
        for (Entry entry : entries) {
            String name = RawStrings.decode(entry.name());
            if (name.startsWith(AtomicWriter.TEMP_PREFIX)) continue;
            String problem;
            if (name.indexOf('=') >= 0) {
                problem = "a variable name cannot hold '='";
            } else {
                Value value = readValue(entry.path(), entry.name().length);
                if (value.text() != null) {
                    result.put(name, value.text());
                    continue;
                }
                problem = value.problem();
            }
            diagnostics.entrySkipped(name, problem);
        }
        return result;
    }

    /** A value read from a file, or why there is none. */
    private record Value(String text, String problem) {}

    private static Value readValue(Path file, int nameLength) {
        byte[] bytes;
        long size;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) return new Value(null, "it is a directory");
            if (!attributes.isRegularFile()) return new Value(null, "it is not a regular file");
            size = attributes.size();
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_ENTRY_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            return new Value(null, "it is a broken symbolic link, or it vanished");
        } catch (IOException e) {
            return new Value(null, "cannot read it: " + Diagnostics.reason(e));
        }
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') length--;
        if (nameLength + 1 + length + 1 > MAX_ENTRY_BYTES) {
            return new Value(null, "NAME=VALUE would be longer than the " + MAX_ENTRY_BYTES
                    + " bytes execve(2) accepts (the file has " + Math.max(size, bytes.length) + " bytes)");
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) return new Value(null, "the value holds a NUL byte, which no environment value can");
        }
        return new Value(RawStrings.decode(Arrays.copyOf(bytes, length)), null);
    }

    /**
     * The boot import: adds the directory's variables that {@code current} does not already set,
     * so docker's {@code -e} and {@code ENV} win over the directory.
     *
     * @param current the environment the init started with
     * @return a new map: {@code current}'s entries in their order, then the added ones in
     *     directory order; a plain copy of {@code current} if the directory does not exist
     * @throws IOException as {@link #read()}
     */
    SequencedMap<String, String> fillIn(Map<String, String> current) throws IOException {
        SequencedMap<String, String> result = new LinkedHashMap<>(current);
        if (!exists()) return result;
        read().forEach(result::putIfAbsent);
        return result;
    }

    /**
     * The re-import after each startup script: the environment becomes exactly the directory's
     * variables (clear and override), except that each of {@link ContainerEnvironment#PROTECTED_NAMES}
     * the directory does not hold keeps its value from {@code current}: they are never written to
     * the directory, so a plain clear would drop them from what later scripts, runit and the main
     * command see.
     *
     * @param current the environment before the re-import
     * @return a new map: the directory's variables in directory order, then the kept protected
     *     names in their order in {@code current}; a plain copy of {@code current} if the
     *     directory does not exist (any more)
     * @throws IOException as {@link #read()}
     */
    SequencedMap<String, String> reimport(Map<String, String> current) throws IOException {
        if (!exists()) return new LinkedHashMap<>(current);
        SequencedMap<String, String> result = read();
        for (Map.Entry<String, String> e : current.entrySet()) {
            if (ContainerEnvironment.PROTECTED_NAMES.contains(e.getKey())) result.putIfAbsent(e.getKey(), e.getValue());
        }
        return result;
    }

    // ---------------------------------------------------------------- export

    /**
     * Starts an export: the directory gets mode 0700 (every time, whatever it had) and, if the
     * variables are to be written, the temporary files a crash left in it are deleted.
     *
     * @param toDirectory the variables will be written ({@link #write})
     * @throws IOException if the mode cannot be set or a leftover cannot be listed or deleted
     */
    void prepareExport(boolean toDirectory) throws IOException {
        unsynced = false;
        Files.setPosixFilePermissions(directory, DIRECTORY_MODE);
        if (toDirectory) AtomicWriter.removeLeftovers(directory);
    }

    /**
     * Writes one variable to the file of its name, holding exactly the value's bytes, mode 0600,
     * by {@link AtomicWriter#write}. A file that already holds exactly these bytes is left alone.
     * {@link ContainerEnvironment#PROTECTED_NAMES} are never written. Not written, with the
     * reason returned: a name that cannot be a file name ({@code /} in it, {@code .},
     * {@code ..}, longer than 255 bytes), a failed write.
     *
     * @param name  a variable name (not empty, no {@code '='}, no NUL)
     * @param value its value (no NUL)
     * @return null if the file now holds the value or the name is protected; else why the file
     *     was not written (a clause for {@link Diagnostics#leftOut})
     */
    String write(String name, String value) {
        if (ContainerEnvironment.PROTECTED_NAMES.contains(name)) return null;
        String problem = fileNameProblem(name);
        if (problem != null) return problem;
        try {
            Path file = RawPaths.resolve(directory, RawStrings.encode(name));
            byte[] content = RawStrings.encode(value);
            if (holdsExactly(file, content)) return null;
            writer.write(file, content, VARIABLE_MODE, null);
            unsynced = true;
            return null;
        } catch (IOException | RuntimeException e) {
            return Diagnostics.reason(e);
        }
    }

    /**
     * Makes the variable files replaced since {@link #prepareExport} durable
     * ({@link AtomicWriter#syncDirectory}); nothing if none was.
     *
     * @throws IOException if the directory cannot be synced
     */
    void syncIfChanged() throws IOException {
        if (unsynced) writer.syncDirectory(directory);
    }

    /** @return why this name cannot be a file in the directory, or null */
    private static String fileNameProblem(String name) {
        if (name.indexOf('/') >= 0) return "a file name cannot hold '/'";
        if (name.equals(".") || name.equals("..")) return "'.' and '..' are not file names";
        if (RawStrings.encode(name).length > NAME_MAX) return "the name is longer than " + NAME_MAX + " bytes";
        return null;
    }

    private static boolean holdsExactly(Path file, byte[] content) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == content.length && Arrays.equals(Files.readAllBytes(file), content);
        } catch (IOException e) {
            return false; // absent or unreadable: write it
        }
    }
}
