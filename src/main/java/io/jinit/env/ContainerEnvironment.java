package io.jinit.env;

import io.jinit.bytes.RawStrings;
import io.jinit.posix.IoFailures;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The container environment files of phusion's {@code my_init}, as the boot phases use them: at
 * boot, import from the variables directory {@code /etc/container_environment/} and export to
 * it, to {@code container_environment.sh} and to {@code container_environment.json}; after each
 * startup script, re-import from the directory and export the {@code .sh} and {@code .json}
 * again. If the directory does not exist, no env work is done at all: every method checks
 * {@link #exists()} first.
 *
 * <p>The work is split by job: {@link VariableDirectory} (reading, the two import rules, the
 * variable files), {@link ShellExport} (the {@code .sh}), {@link JsonExport} (the {@code .json}),
 * {@link Diagnostics} (the warning lines), {@link AtomicWriter} (replacing a file whole); this
 * class runs an export over them.
 *
 * <p>Names and values are Java strings decoded from raw bytes with {@link RawStrings#decode}
 * (bytes that are not UTF-8 are lone surrogates U+DC80..U+DCFF); files are read and written as
 * bytes through {@link RawStrings}, so every byte survives a round trip. File names are handled
 * as raw bytes too, whatever the JVM's file-name charset (see {@code io.jinit.bytes.RawPaths}).
 *
 * <p>Problems with single entries or variables (a sub-directory, a name that cannot be a file
 * name, a NUL byte...) never fail a call: the entry is skipped and one line goes to the warnings
 * consumer, without the {@code "*** "} prefix, which the caller adds ({@link Diagnostics}).
 *
 * <p>Not thread-safe: meant for the one thread that runs the boot phases. Holds no global
 * state; everything lives in the instance.
 */
public final class ContainerEnvironment {
    /**
     * Names never written to the directory or the {@code .sh} (as phusion's {@code my_init}), but
     * always to the {@code .json}, and kept by {@link #reimport} when the directory lacks them
     * (where phusion's {@code my_init} drops them from the environment of later programs).
     */
    public static final List<String> PROTECTED_NAMES = List.of("HOME", "USER", "GROUP", "UID", "GID", "SHELL");

    /** The group that may read the {@code .sh} and {@code .json} (phusion's images create it). */
    public static final String READER_GROUP = "docker_env";

    /** Mode of the {@code .sh} and {@code .json}: they hold secrets, never world-readable. */
    private static final Set<PosixFilePermission> EXPORT_MODE = PosixFilePermissions.fromString("rw-r-----");

    private final EnvPaths paths;
    private final Diagnostics diagnostics;
    private final String groupName;
    private final AtomicWriter writer;
    private final VariableDirectory directory;
    private Optional<GroupPrincipal> group; // looked up on first export
    private String lastFailure; // the last failure newFailure let through

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
        this.diagnostics = new Diagnostics(paths, warnings);
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.writer = new AtomicWriter(sync, fault, diagnostics);
        this.directory = new VariableDirectory(paths.directory(), writer, diagnostics);
    }

    /** @return the paths this instance works on */
    public EnvPaths paths() {
        return paths;
    }

    /**
     * @return true if the variables directory exists (a directory, or a symlink to one); if not,
     *     no env work is done at all, and the other methods do nothing
     */
    public boolean exists() {
        return directory.exists();
    }

    /**
     * Reads the variables directory, as {@link VariableDirectory#read}.
     *
     * @return the variables sorted by the bytes of their names; empty if the directory does not exist
     * @throws IOException if the directory exists but cannot be listed; single files never cause one
     */
    public SequencedMap<String, String> readDirectory() throws IOException {
        return directory.read();
    }

    /**
     * The boot import, before the first export: adds the directory's variables that
     * {@code current} does not already set (docker {@code -e} and {@code ENV} win), as
     * {@link VariableDirectory#fillIn}.
     *
     * @param current the environment my_init started with
     * @return a new map: {@code current}'s entries in their order, then the added ones in
     *     directory order; a plain copy of {@code current} if the directory does not exist
     * @throws IOException as {@link #readDirectory()}
     */
    public SequencedMap<String, String> importInitial(Map<String, String> current) throws IOException {
        return directory.fillIn(current);
    }

    /**
     * The re-import after each startup script: the environment becomes exactly the directory's
     * variables ("clear and override"), except that each of {@link #PROTECTED_NAMES} the
     * directory does not hold keeps its value from {@code current}, as
     * {@link VariableDirectory#reimport}.
     *
     * @param current the environment before the re-import
     * @return a new map: the directory's variables in directory order, then the kept protected
     *     names in their order in {@code current}; a plain copy of {@code current} if the
     *     directory does not exist (any more)
     * @throws IOException as {@link #readDirectory()}
     */
    public SequencedMap<String, String> reimport(Map<String, String> current) throws IOException {
        return directory.reimport(current);
    }

    /**
     * Writes the environment out: at boot with {@code toDirectory} true, after each startup
     * script's re-import with false. Does nothing if the directory does not exist.
     *
     * <ol>
     * <li>The directory gets mode 0700 (every time, whatever it had); if {@code toDirectory},
     *     temporary files a crash left in it are deleted ({@link VariableDirectory#prepareExport}).
     * <li>If {@code toDirectory}: each variable to the file of its name
     *     ({@link VariableDirectory#write}: not the protected names, not names that cannot be
     *     file names). Files of variables not in {@code env} stay (as in the reference).
     * <li>The {@code .sh}: a line per variable in map order ({@link ShellExport}: not the
     *     protected names, not names that are no shell names even when sanitized).
     * <li>The {@code .json}: one object of all variables, protected names included, in map
     *     order ({@link JsonExport}).
     * </ol>
     *
     * <p>{@code .sh} and {@code .json} get mode 0640 and group {@value #READER_GROUP} if that
     * group exists (if it exists but cannot be set, e.g. when not root: a warning, and the file
     * is written with the default group). Every file is written to a temporary file in its own
     * directory (name prefix {@code ".jinit-tmp="}), given its final mode and group, and renamed
     * over the old one (no fsync, as phusion's my_init: a crash of the init at any point leaves
     * the old file or the new one, whole, never a mix; {@link AtomicWriter}). Each variable has
     * at most one warning line per call, which names all that was skipped for it. A variable
     * whose name is empty or holds {@code '='} or NUL, or whose value holds NUL, is not a
     * variable: it is skipped everywhere with one warning.
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
        directory.prepareExport(toDirectory);
        ShellExport shell = new ShellExport();
        JsonExport json = new JsonExport();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            String problem = variableProblem(name, value);
            if (problem != null) {
                diagnostics.notAVariable(name, problem);
                continue;
            }
            json.add(name, value);
            String notWritten = toDirectory ? directory.write(name, value) : null;
            diagnostics.leftOut(name, notWritten, shell.add(name, value));
        }
        directory.syncIfChanged();

        GroupPrincipal readers = readerGroup();
        writer.write(paths.shellFile(), shell.bytes(), EXPORT_MODE, readers);
        writer.write(paths.jsonFile(), json.bytes(), EXPORT_MODE, readers);
        Path shellDir = paths.shellFile().toAbsolutePath().getParent();
        Path jsonDir = paths.jsonFile().toAbsolutePath().getParent();
        writer.syncDirectory(shellDir);
        if (!jsonDir.equals(shellDir)) writer.syncDirectory(jsonDir);
        if (toDirectory) {
            AtomicWriter.removeLeftovers(shellDir);
            if (!jsonDir.equals(shellDir)) AtomicWriter.removeLeftovers(jsonDir);
        }
    }

    /**
     * Lets each distinct failure of the import or export through once: with a read-only
     * {@code /etc} or as a user who may not write there, the boot export and every re-import
     * after a startup script fail the same way, and one line says it.
     *
     * @param e a failure of {@link #importInitial}, {@link #reimport} or {@link #export}
     * @return {@code FILE: REASON (ERRNO)} ({@link IoFailures#describe}), or empty when it is
     *     the same as the failure let through last
     */
    public Optional<String> newFailure(IOException e) {
        String line = IoFailures.describe(e);
        if (line.equals(lastFailure)) return Optional.empty();
        lastFailure = line;
        return Optional.of(line);
    }

    /** @return why this is no variable at all (for {@link Diagnostics#notAVariable}), or null */
    private static String variableProblem(String name, String value) {
        if (name.isEmpty()) return "the name is empty";
        if (name.indexOf('=') >= 0) return "a variable name cannot hold '='";
        if (name.indexOf('\0') >= 0) return "a variable name cannot hold NUL";
        if (value.indexOf('\0') >= 0) return "a value cannot hold NUL";
        return null;
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
}
