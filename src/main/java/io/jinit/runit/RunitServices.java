package io.jinit.runit;

import io.jinit.posix.Libc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The services of runsvdir's directory, seen and driven through runit's own files, as
 * {@code sv(8)} does but without spawning it: {@code supervise/ok} (a FIFO that {@code runsv}
 * reads while it runs), {@code supervise/stat} ({@code run}, {@code down} or {@code finish}) and
 * {@code supervise/control} (commands: {@code d} down, {@code k} kill).
 *
 * @param directory the service directory ({@code /etc/service})
 */
public record RunitServices(Path directory) {

    /**
     * @return every service directory (or link to one) in byte-wise order of names; none when the
     *     directory does not exist
     * @throws IOException when it exists but cannot be read (EACCES, EMFILE: no descriptor left)
     */
    public List<Path> services() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) return out;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path p : entries) {
                if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) out.add(p);
            }
        }
        out.sort(null);
        return out;
    }

    /** @return true if {@code runsv} supervises the service and its state is {@code run} */
    public static boolean running(Path service) {
        return supervised(service) && state(service).startsWith("run");
    }

    /** @return true if a {@code runsv} process supervises the service now */
    public static boolean supervised(Path service) {
        return Libc.fifoHasReader(service.resolve("supervise/ok").toString());
    }

    /** @return the first line of {@code supervise/stat}, or "" when unreadable */
    public static String state(Path service) {
        try {
            String s = Files.readString(service.resolve("supervise/stat"), StandardCharsets.ISO_8859_1);
            return s.strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** @return true if the service is enabled: it has no {@code down} file, so runsv starts it */
    public static boolean enabled(Path service) {
        return !Files.exists(service.resolve("down"));
    }

    /** Asks runsv to take the service down ({@code sv down}: TERM then CONT to its process). */
    public static boolean down(Path service) {
        return Libc.writeFifo(service.resolve("supervise/control").toString(), new byte[] {'d'});
    }

    /** Asks runsv to KILL the service's process ({@code sv kill}), keeping it down. */
    public static boolean kill(Path service) {
        return Libc.writeFifo(service.resolve("supervise/control").toString(), new byte[] {'d', 'k'});
    }

    /** @return the subset of {@code services} that still runs */
    public static List<Path> stillRunning(List<Path> services) {
        return services.stream().filter(RunitServices::running).toList();
    }

    /** @return the names (last path element) of services, comma-separated, for log lines */
    public static String names(List<Path> services) {
        return String.join(", ", services.stream().map(p -> p.getFileName().toString()).toList());
    }
}
