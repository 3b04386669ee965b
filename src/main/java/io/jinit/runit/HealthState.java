package io.jinit.runit;

import io.jinit.posix.IoFailures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;

/**
 * What the init publishes for its health probe {@code my_init-health} (a POSIX shell script that
 * starts no JVM): a small file, {@code /run/jinit/state}, replaced whole at each change
 * (a temporary file in the same directory, then {@code rename(2)}), so a probe reads the old
 * content or the new one, never a part. Mode 0644. Its lines, {@code KEY=VALUE}:
 *
 * <pre>
 *   phase=booting|running|stopping
 *   pid=1                  the init's PID
 *   start=123456           the init's start time, field 22 of /proc/PID/stat (clock ticks after boot):
 *                          with the PID, it tells the file of this run from one a previous run left
 *   services=/etc/service  the directory runsvdir runs on ({@link ServiceTree}); empty without runit
 * </pre>
 *
 * @param file the state file ({@code /run/jinit/state}, under {@code --root} in tests)
 */
public record HealthState(Path file) {

    /** The init's phase as the probe sees it. */
    public enum Phase {
        /** From the start until the main command starts (services ready, with --wait-for-services). */
        BOOTING,
        /** The main command runs (or, runit-only, runsvdir runs). */
        RUNNING,
        /** From the shutdown on: services and processes are being stopped. */
        STOPPING
    }

    /**
     * Replaces the state file.
     *
     * @param phase    the init's phase
     * @param services the directory runsvdir runs on, or null without runit
     * @return empty when written; else one line, {@code FILE: REASON (ERRNO)}
     *     ({@link IoFailures#describe}), e.g. when {@code /run} is read-only
     */
    public Optional<String> publish(Phase phase, Path services) {
        long pid = ProcessHandle.current().pid();
        String content = "phase=" + phase.name().toLowerCase(Locale.ROOT) + "\npid=" + pid + "\nstart="
                + startTime(pid) + "\nservices=" + (services == null ? "" : services.toAbsolutePath()) + "\n";
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + "." + pid + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(temp);
            Files.write(temp, content.getBytes(StandardCharsets.UTF_8));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            return Optional.empty();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the write failed already; that is the failure to report
            }
            return Optional.of(IoFailures.describe(e));
        }
    }

    /** @return field 22 of /proc/PID/stat (the start time in clock ticks), or 0 when unreadable */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.ISO_8859_1);
            // after the command name in parentheses (which may hold spaces), field 3 is first
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[22 - 3]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
