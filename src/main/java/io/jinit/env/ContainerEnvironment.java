package io.jinit.env;

import io.jinit.posix.RawPaths;

import io.jinit.posix.RawStrings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The container environment files of phusion's {@code my_init}: import from
 * {@code /etc/container_environment/} and export to it, to {@code container_environment.sh} and
 * to {@code container_environment.json} (contract, "Environment files" and phase 1 and 3 of
 * "Phases").
 *
 * <p>Names and values are Java strings decoded from raw bytes with {@link RawStrings#decode}
 * (bytes that are not UTF-8 are lone surrogates U+DC80..U+DCFF); files are read and written as
 * bytes through {@link RawStrings}, so every byte survives a round trip. File names are handled
 * as raw bytes too, whatever the JVM's file-name charset (see {@code io.jinit.posix.RawPaths}).
 *
 * <p>Every method that reads or writes first checks {@link #exists()}: without the variables
 * directory no env work is done at all. Problems with single entries or variables (a
 * sub-directory, a name that cannot be a file name, a NUL byte...) never fail a call: the entry
 * is skipped and one line goes to the warnings consumer, without the {@code "*** "} prefix, which
 * the caller adds. Names in these lines are quoted and escaped so that a line stays one line.
 *
 * <p>Not thread-safe: meant for the one thread that runs the boot phases. Holds no global
 * state; everything lives in the instance.
 */
public final class ContainerEnvironment {
    /**
     * Names never written to the directory or the {@code .sh} (contract: Keep), but always to the
     * {@code .json}, and kept by {@link #reimport} when the directory lacks them (contract: Fix).
     */
    public static final List<String> PROTECTED_NAMES = List.of("HOME", "USER", "GROUP", "UID", "GID", "SHELL");

    /**
     * Longest {@code NAME=VALUE} string, with its terminating NUL, that {@code execve(2)} accepts
     * in an environment: Linux's {@code MAX_ARG_STRLEN}, 32 pages of 4 KiB. A longer one would
     * make every later program start fail with {@code E2BIG}, so import skips it.
     */
    public static final int MAX_ENTRY_BYTES = 32 * 4096;

    /** The group that may read the {@code .sh} and {@code .json} (phusion's images create it). */
    public static final String READER_GROUP = "docker_env";

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> VARIABLE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Longest file name on Linux file systems ({@code NAME_MAX}). */
    private static final int NAME_MAX = 255;

    private final EnvPaths paths;
    private final Consumer<String> warnings;
    private final String groupName;
    private final AtomicWriter writer;
    private Optional<GroupPrincipal> group; // looked up on first export

    /**
     * @param paths    where the files are ({@link EnvPaths#under})
     * @param warnings receives one line per skipped entry or variable, without {@code "*** "}
     */
    public ContainerEnvironment(EnvPaths paths, Consumer<String> warnings) {
        this(paths, warnings, READER_GROUP, false, AtomicWriter.NONE);
    }

    /**
     * For tests: another reader group, syncing off, a fault between write and rename.
     *
     * @param groupName the group of {@code .sh} and {@code .json} if it exists
     * @param sync      fsync files and directories (production: false; the rename alone keeps every
     *                  file whole when the init crashes, as durability across power loss is not
     *                  promised, and fsync cost 0.5-4 ms per variable at boot)
     * @param fault     run before each rename
     */
    ContainerEnvironment(EnvPaths paths, Consumer<String> warnings, String groupName, boolean sync,
                         AtomicWriter.Fault fault) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.writer = new AtomicWriter(sync, fault, warnings);
    }

    /** @return the paths this instance works on */
    public EnvPaths paths() {
        return paths;
    }

    /**
     * @return true if the variables directory exists (a directory, or a symlink to one); if not,
     *     the contract says no env work is done at all, and the other methods do nothing
     */
    public boolean exists() {
        return Files.isDirectory(paths.directory());
    }

    // ---------------------------------------------------------------- import

    /**
     * Reads the variables directory: one regular file per variable, the file name is the name,
     * the content the value minus exactly one trailing {@code \n} (nothing else changes: a
     * {@code \r} stays, bytes that are not UTF-8 stay). Symlinks are followed.
     *
     * <p>Skipped, each with one warning line: a sub-directory; anything else that is not a
     * regular file (FIFO, socket, device, broken symlink); a name holding {@code '='} (no
     * variable can be named so); a value holding a NUL byte (no environment value can); a
     * {@code NAME=VALUE} longer than {@link #MAX_ENTRY_BYTES}; a file that cannot be read.
     * Ignored silently: temporary files of this class's own atomic writes (names starting with
     * {@code ".jinit-tmp="}, left behind by a crash between write and rename).
     *
     * @return the variables sorted by the bytes of their names (unsigned, like {@code ls} in the
     *     C locale); empty if the directory does not exist
     * @throws IOException if the directory exists but cannot be listed (e.g.
     *     {@link AccessDeniedException}); single files never cause one
     */
    public SequencedMap<String, String> readDirectory() throws IOException {
        SequencedMap<String, String> result = new LinkedHashMap<>();
        if (!exists()) return result;
        record Entry(byte[] name, Path path) {}
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(paths.directory())) {
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
            warnings.accept("Skipping " + display(name) + " in " + paths.directory() + ": " + problem);
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
            return new Value(null, "cannot read it: " + reason(e));
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
     * Contract phase 1: adds the directory's variables that {@code current} does not already set
     * (docker {@code -e} and {@code ENV} win).
     *
     * @param current the environment my_init started with
     * @return a new map: {@code current}'s entries in their order, then the added ones in
     *     directory order; a plain copy of {@code current} if the directory does not exist
     * @throws IOException as {@link #readDirectory()}
     */
    public SequencedMap<String, String> importInitial(Map<String, String> current) throws IOException {
        SequencedMap<String, String> result = new LinkedHashMap<>(current);
        if (!exists()) return result;
        readDirectory().forEach(result::putIfAbsent);
        return result;
    }

    /**
     * Contract phase 3, after each startup script: the environment becomes exactly the
     * directory's variables ("clear and override"), except that each of {@link #PROTECTED_NAMES}
     * the directory does not hold keeps its value from {@code current} (the contract's Fix:
     * they are never written to the directory, so a plain clear would drop them).
     *
     * @param current the environment before the re-import
     * @return a new map: the directory's variables in directory order, then the kept protected
     *     names in their order in {@code current}; a plain copy of {@code current} if the
     *     directory does not exist (any more)
     * @throws IOException as {@link #readDirectory()}
     */
    public SequencedMap<String, String> reimport(Map<String, String> current) throws IOException {
        if (!exists()) return new LinkedHashMap<>(current);
        SequencedMap<String, String> result = readDirectory();
        for (Map.Entry<String, String> e : current.entrySet()) {
            if (PROTECTED_NAMES.contains(e.getKey())) result.putIfAbsent(e.getKey(), e.getValue());
        }
        return result;
    }

    // ---------------------------------------------------------------- export

    /**
     * Writes the environment out, as the contract's phases 1 ({@code toDirectory} true) and 3
     * (false) do. Does nothing if the directory does not exist.
     *
     * <ol>
     * <li>The directory gets mode 0700 (every time, whatever it had).
     * <li>If {@code toDirectory}: each variable, except {@link #PROTECTED_NAMES}, to the file
     *     of its name, holding exactly the value's bytes, mode 0600. A file that already holds
     *     exactly these bytes is left alone. Names that cannot be a file name ({@code /} in it,
     *     {@code .}, {@code ..}, longer than 255 bytes) are skipped with a warning. Files of
     *     variables not in {@code env} stay (as in the reference). Temporary files a crash left
     *     are deleted first.
     * <li>The {@code .sh}: {@code export NAME=VALUE\n} per variable, except the protected
     *     names, in map order; NAME is {@link #sanitizeName}, VALUE is {@link #shellQuote}. A
     *     sanitized name that is still not a shell name ({@code [A-Za-z_][A-Za-z0-9_]*}: a
     *     leading digit, a non-ASCII letter) is left out with a warning, because one such line
     *     would stop {@code sh}/{@code dash} from sourcing the rest of the file. Two names that
     *     sanitize alike: the later line wins when sourced.
     * <li>The {@code .json}: one object of all variables, protected names included, in map
     *     order ({@code JsonText}).
     * </ol>
     *
     * <p>{@code .sh} and {@code .json} get mode 0640 and group {@value #READER_GROUP} if that
     * group exists (if it exists but cannot be set, e.g. when not root: a warning, and the file
     * is written with the default group). Every file is written to a temporary file in its own
     * directory (name prefix {@code ".jinit-tmp="}), given its final mode and group, and renamed
     * over the old one (no fsync, as phusion's my_init: a crash of the init at any point leaves
     * the old file or the new one, whole, never a mix). Each variable
     * has at most one warning line per call, which names all that was skipped for it. A
     * variable whose name is empty or holds {@code '='} or NUL, or whose value holds NUL, is
     * not a variable: it is skipped everywhere with one warning.
     *
     * @param env         the environment to write
     * @param toDirectory also write the variables directory
     * @throws IOException if the directory mode cannot be set, leftovers cannot be removed, or
     *     the {@code .sh} or {@code .json} cannot be written ({@link FileSystemException} and
     *     subclasses, e.g. a read-only file system or a full disk); the file being written is
     *     then unchanged and its temporary file removed; files already replaced stay replaced.
     *     Failures to write single variable files are warnings, not exceptions
     */
    public void export(Map<String, String> env, boolean toDirectory) throws IOException {
        if (!exists()) return;
        Path directory = paths.directory();
        Files.setPosixFilePermissions(directory, DIRECTORY_MODE);
        if (toDirectory) AtomicWriter.removeLeftovers(directory);

        SequencedMap<String, String> json = new LinkedHashMap<>();
        StringBuilder shell = new StringBuilder();
        boolean directoryChanged = false;
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            String problem = variableProblem(name, value);
            if (problem != null) {
                warnings.accept("Skipping variable " + display(name) + ": " + problem);
                continue;
            }
            json.put(name, value);
            if (PROTECTED_NAMES.contains(name)) continue;
            List<String> skipped = new ArrayList<>(2);
            if (toDirectory) {
                String fileProblem = fileNameProblem(name);
                if (fileProblem == null) {
                    try {
                        directoryChanged |= writeVariable(name, value);
                    } catch (IOException | RuntimeException ex) {
                        fileProblem = reason(ex);
                    }
                }
                if (fileProblem != null) skipped.add("not written to " + directory + " (" + fileProblem + ")");
            }
            String shellName = sanitizeName(name);
            if (isShellName(shellName)) {
                shell.append("export ").append(shellName).append('=').append(shellQuote(value)).append('\n');
            } else {
                skipped.add("left out of " + paths.shellFile() + " (" + display(shellName)
                        + " is not a shell variable name)");
            }
            if (!skipped.isEmpty()) warnings.accept("Variable " + display(name) + " " + String.join("; ", skipped));
        }
        if (directoryChanged) writer.syncDirectory(directory);

        GroupPrincipal readers = readerGroup();
        writer.write(paths.shellFile(), RawStrings.encode(shell.toString()), FILE_MODE, readers);
        writer.write(paths.jsonFile(), JsonText.of(json), FILE_MODE, readers);
        Path shellDir = paths.shellFile().toAbsolutePath().getParent();
        Path jsonDir = paths.jsonFile().toAbsolutePath().getParent();
        writer.syncDirectory(shellDir);
        if (!jsonDir.equals(shellDir)) writer.syncDirectory(jsonDir);
        if (toDirectory) {
            AtomicWriter.removeLeftovers(shellDir);
            if (!jsonDir.equals(shellDir)) AtomicWriter.removeLeftovers(jsonDir);
        }
    }

    /** @return why this is no variable at all, or null */
    private static String variableProblem(String name, String value) {
        if (name.isEmpty()) return "the name is empty";
        if (name.indexOf('=') >= 0) return "a variable name cannot hold '='";
        if (name.indexOf('\0') >= 0) return "a variable name cannot hold NUL";
        if (value.indexOf('\0') >= 0) return "a value cannot hold NUL";
        return null;
    }

    /** @return why this name cannot be a file in the directory, or null */
    private static String fileNameProblem(String name) {
        if (name.indexOf('/') >= 0) return "a file name cannot hold '/'";
        if (name.equals(".") || name.equals("..")) return "'.' and '..' are not file names";
        if (RawStrings.encode(name).length > NAME_MAX) return "the name is longer than " + NAME_MAX + " bytes";
        return null;
    }

    /** @return true if the file changed */
    private boolean writeVariable(String name, String value) throws IOException {
        Path file = RawPaths.resolve(paths.directory(), RawStrings.encode(name));
        byte[] content = RawStrings.encode(value);
        if (holdsExactly(file, content)) return false;
        writer.write(file, content, VARIABLE_MODE, null);
        return true;
    }

    private static boolean holdsExactly(Path file, byte[] content) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == content.length && Arrays.equals(Files.readAllBytes(file), content);
        } catch (IOException e) {
            return false; // absent or unreadable: write it
        }
    }

    private GroupPrincipal readerGroup() {
        if (group == null) {
            try {
                group = Optional.of(FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(groupName));
            } catch (IOException | UnsupportedOperationException e) {
                group = Optional.empty(); // UserPrincipalNotFoundException: no such group here
            }
        }
        return group.orElse(null);
    }

    // ---------------------------------------------------------------- shell syntax

    /**
     * The name a variable gets in the {@code .sh}: every code point that is not a word character
     * becomes {@code _}, as Python's {@code re.sub(r'\W', '_', name)} does: a word character is
     * {@code _}, a letter (Lu, Ll, Lt, Lm, Lo) or a number (Nd, Nl, No, so {@code ²} and
     * {@code ½} are kept, as Python's {@code str.isalnum()} keeps them); a lone surrogate, i.e. a
     * byte that is not UTF-8, is not. The result can still start with a digit or hold non-ASCII
     * characters; see {@link #export}.
     *
     * @param name a variable name
     * @return the sanitized name, one character per code point
     */
    public static String sanitizeName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            boolean number = type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                    || type == Character.OTHER_NUMBER;
            if (cp == '_' || Character.isLetter(cp) || number) out.appendCodePoint(cp);
            else out.append('_');
        });
        return out.toString();
    }

    /**
     * Quotes a value for a POSIX shell, as the reference's {@code shquote} does: {@code ''} if
     * empty; unchanged if every code point is a letter, a digit (Unicode-aware,
     * {@link Character#isLetterOrDigit(int)}), {@code _} or one of {@code @%+=:,./-}; otherwise in
     * single quotes, each {@code '} written as {@code '"'"'}. A lone surrogate (a byte that is not
     * UTF-8) is not safe, so such a value is quoted. Sourcing {@code NAME=<result>} in
     * {@code sh}, {@code dash} or {@code bash} gives back the value's bytes exactly.
     *
     * @param value any value without NUL
     * @return the shell word
     */
    public static String shellQuote(String value) {
        if (value.isEmpty()) return "''";
        boolean safe = value.codePoints().allMatch(cp -> cp == '_' || Character.isLetterOrDigit(cp)
                || cp == '@' || cp == '%' || cp == '+' || cp == '=' || cp == ':' || cp == ','
                || cp == '.' || cp == '/' || cp == '-');
        if (safe) return value;
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /** @return true for a POSIX shell variable name: {@code [A-Za-z_][A-Za-z0-9_]*} */
    static boolean isShellName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9';
            if (!ok) return false;
        }
        return true;
    }

    /**
     * A name for a warning line: in single quotes, with {@code \} and {@code '} escaped,
     * control and line-separator characters as {@code \n}, {@code \t}, {@code \}{@code uXXXX},
     * and bytes that are not UTF-8 as {@code \xHH}; so a line stays one line.
     *
     * @param s a name
     * @return the quoted form
     */
    static String display(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('\'');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    int type = Character.getType(cp);
                    if (cp >= 0xDC80 && cp <= 0xDCFF) {
                        out.append(String.format("\\x%02x", cp - 0xDC00));
                    } else if (type == Character.CONTROL || type == Character.LINE_SEPARATOR
                            || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE) {
                        out.append(String.format("\\u%04x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('\'').toString();
    }

    /** @return a short reason for a failed file operation, e.g. "Is a directory" */
    static String reason(Exception e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
