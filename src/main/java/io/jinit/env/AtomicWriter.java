package io.jinit.env;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces files atomically: the content goes to a new temporary file in the target's own
 * directory (created mode 0600, so it is never more readable than the final file), is flushed
 * to disk ({@code fdatasync}) if asked, gets its final mode and group, and is then renamed over
 * the target ({@code rename(2)}). A reader, or the file system after a crash at any moment,
 * sees either the whole old file or the whole new one, never a part.
 *
 * <p>Temporary names start with {@link #TEMP_PREFIX}. That prefix holds {@code '='}, which no
 * environment variable name can hold, so a temporary file left in the variables directory by a
 * crash can never be taken for a variable; {@link VariableDirectory#read()} ignores it and
 * {@link #removeLeftovers} deletes it.
 */
final class AtomicWriter {
    /** Start of every temporary file name: a dot (hidden) and {@code '='} (never a variable name). */
    static final String TEMP_PREFIX = ".jinit-tmp=";

    /** A test hook run between "temporary file complete" and the rename; production uses {@link #NONE}. */
    @FunctionalInterface
    interface Fault {
        /**
         * @param temp   the complete temporary file, mode and group set
         * @param target the file it is about to replace
         * @throws IOException to make the write fail at this point
         */
        void beforeRename(Path temp, Path target) throws IOException;
    }

    /** No fault. */
    static final Fault NONE = (temp, target) -> {};

    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");

    private final boolean sync;
    private long written;
    private final Fault fault;
    private final Diagnostics diagnostics;

    /**
     * @param sync     fdatasync each file before the rename, fsync directories on {@link #syncDirectory}
     * @param fault    run before each rename ({@link #NONE} in production)
     * @param diagnostics told when the group cannot be set (the write goes on without it)
     */
    AtomicWriter(boolean sync, Fault fault, Diagnostics diagnostics) {
        this.sync = sync;
        this.fault = fault;
        this.diagnostics = diagnostics;
    }

    /**
     * Writes {@code content} to {@code target} via a temporary file and a rename.
     *
     * @param target the file to create or replace (a symlink there is replaced, not followed)
     * @param content the new content
     * @param mode the final permissions (exact: not reduced by the umask)
     * @param group the group to give the file, or null to leave the default; if it cannot be
     *     set (not root, not a member), a warning goes out and the file keeps the default group
     * @throws IOException if any step fails; the target is then unchanged and the temporary file removed
     */
    void write(Path target, byte[] content, Set<PosixFilePermission> mode, GroupPrincipal group)
            throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // A counter, not Files.createTempFile: its SecureRandom costs tens of ms at boot.
        Path temp = dir.resolve(TEMP_PREFIX + ProcessHandle.current().pid() + "." + (++written) + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_RW));
        boolean renamed = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                if (sync) ch.force(false);
            }
            if (group != null) {
                try {
                    Files.getFileAttributeView(temp, PosixFileAttributeView.class).setGroup(group);
                } catch (IOException e) {
                    diagnostics.groupNotSet(target, group, e);
                }
            }
            Files.setPosixFilePermissions(temp, mode);
            fault.beforeRename(temp, target);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
        } finally {
            if (!renamed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that failure is the one to report
                }
            }
        }
    }

    /**
     * Makes the renames in a directory durable ({@code fsync} of the directory), if syncing is on.
     *
     * @param dir the directory whose entries changed
     * @throws IOException if the directory cannot be opened or synced
     */
    void syncDirectory(Path dir) throws IOException {
        if (!sync) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Deletes temporary files a crashed earlier write left in a directory.
     *
     * @param dir the directory
     * @throws IOException if it cannot be listed or an entry cannot be deleted
     */
    static void removeLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path entry : entries) Files.deleteIfExists(entry);
        }
    }
}
