package io.jinit.runit;

import io.jinit.posix.IoFailures;

import java.io.IOException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code runsvdir} supervises the services from. {@code runsv} keeps each service's state
 * in {@code SERVICE/supervise/} (and {@code SERVICE/log/supervise/}), which it creates: with a
 * read-only root ({@code --read-only}, Kubernetes' {@code readOnlyRootFilesystem}) or as a user who
 * may not write {@code /etc/service} ({@code --user}, OpenShift's arbitrary UID) it cannot, and
 * no service runs. Then the services run from a copy under {@code /run} (as s6-overlay does):
 *
 * <pre>
 *   /run/jinit/service/NAME/          a real directory, for each service runsv could not use
 *       run, check, finish, down, ... symlinks to /etc/service/NAME/*
 *       supervise/                    a real, writable directory
 *       log/                          likewise, when /etc/service/NAME/log is a directory
 *   /run/jinit/service/OTHER          a symlink to /etc/service/OTHER, for a service that can be
 *                                     supervised where it is
 * </pre>
 *
 * and {@code runsvdir -P /run/jinit/service} runs instead of {@code runsvdir -P /etc/service}.
 * {@code sv} then reaches every service as {@code sv status /run/jinit/service/NAME} (or
 * {@code SVDIR=/run/jinit/service sv status NAME}). The copy is made at each boot (a copy left by
 * an earlier boot is removed first), so a service added to {@code /etc/service} later is not
 * picked up until the next boot. When {@code /etc/service} can be used as it is, no copy is made.
 *
 * @param declared the service directory of the image ({@code /etc/service})
 * @param copy     where the copy goes when one is needed ({@code /run/jinit/service})
 */
public record ServiceTree(Path declared, Path copy) {

    /**
     * The outcome of {@link #prepare()}.
     *
     * @param directory      what {@code runsvdir -P} runs on: {@link #declared} or {@link #copy}
     * @param unsupervisable the services that cannot be supervised anywhere (empty when all can)
     */
    public record Layout(Path directory, List<Unsupervisable> unsupervisable) {
        /** Copies the list. */
        public Layout {
            unsupervisable = List.copyOf(unsupervisable);
        }
    }

    /**
     * A service runsv cannot keep its state for.
     *
     * @param name the service's name ({@code /etc/service/NAME})
     * @param why  why, with the errno names: where runsv could not write, and why no copy was made
     */
    public record Unsupervisable(String name, String why) {}

    /**
     * @return the directory runsvdir runs on in this boot: the copy when {@link #prepare()} made
     *     one, else {@link #declared}
     */
    public Path current() {
        return Files.isDirectory(copy, LinkOption.NOFOLLOW_LINKS) ? copy : declared;
    }

    /**
     * Removes a copy an earlier boot left, then looks at every service (a directory of
     * {@link #declared} not starting with a dot) and, when runsv could not keep its state in one of
     * them, makes the copy. A service that cannot be supervised in place and cannot be copied
     * either is left out of the copy (no runsv spins on it) and named in
     * {@link Layout#unsupervisable}.
     *
     * @return where runsvdir should run, and the services that cannot be supervised
     */
    public Layout prepare() {
        String stale = remove(copy);
        List<Path> services;
        try {
            services = new RunitServices(declared).services();
        } catch (IOException e) {
            // cannot even be listed (EMFILE, EACCES): runsvdir runs on it as it is; the readiness
            // wait and the shutdown say why they cannot list it
            return new Layout(declared, List.of());
        }
        List<String> inPlaceProblems = new ArrayList<>();
        for (Path service : services) inPlaceProblems.add(problem(service));
        if (inPlaceProblems.stream().allMatch(p -> p == null)) return new Layout(declared, List.of());

        List<Unsupervisable> unsupervisable = new ArrayList<>();
        String copyProblem = stale;
        if (copyProblem == null) {
            try {
                Files.createDirectories(copy);
            } catch (IOException e) {
                copyProblem = IoFailures.describe(e);
            }
        }
        if (copyProblem != null) {
            for (int i = 0; i < services.size(); i++) {
                if (inPlaceProblems.get(i) != null) {
                    unsupervisable.add(new Unsupervisable(name(services.get(i)), inPlaceProblems.get(i)
                            + "; and no copy under " + copy + ": " + copyProblem));
                }
            }
            return new Layout(declared, unsupervisable);
        }
        for (int i = 0; i < services.size(); i++) {
            Path service = services.get(i);
            Path target = copy.resolve(service.getFileName().toString());
            try {
                if (inPlaceProblems.get(i) == null) {
                    Files.createSymbolicLink(target, service.toAbsolutePath());
                } else {
                    mirror(service, target);
                }
            } catch (IOException e) {
                unsupervisable.add(new Unsupervisable(name(service), inPlaceProblems.get(i) + "; and no copy: "
                        + IoFailures.describe(e)));
                remove(target);
            }
        }
        try {
            // runsvdir waits a second before it scans a directory changed within the current second
            Files.setLastModifiedTime(copy, FileTime.fromMillis(System.currentTimeMillis() - 2_000));
        } catch (IOException ignored) {
            // the services start a second later, that is all
        }
        return new Layout(copy, unsupervisable);
    }

    /**
     * @return why runsv could not keep the state of this service (or of its {@code log/}) in
     *     place, or null when it can
     */
    static String problem(Path service) {
        String own = supervisable(service);
        if (own != null) return own;
        Path log = service.resolve("log");
        return Files.isDirectory(log) ? supervisable(log) : null;
    }

    /** @return why runsv could not use {@code DIR/supervise}, or null when it can */
    private static String supervisable(Path dir) {
        Path supervise = dir.resolve("supervise");
        try {
            if (Files.isSymbolicLink(supervise) && !Files.exists(supervise)) {
                // Debian's /etc/sv services: supervise -> /run/runit/supervise/NAME, gone with a fresh /run
                Files.createDirectories(dir.resolve(Files.readSymbolicLink(supervise)));
            }
            if (Files.isDirectory(supervise)) {
                access(supervise, AccessMode.WRITE, AccessMode.EXECUTE);
                for (String fifoOrLock : List.of("lock", "control")) {
                    Path f = supervise.resolve(fifoOrLock);
                    if (Files.exists(f)) access(f, AccessMode.WRITE);
                }
            } else if (Files.exists(supervise, LinkOption.NOFOLLOW_LINKS)) {
                return supervise + ": not a directory";
            } else {
                access(dir, AccessMode.WRITE, AccessMode.EXECUTE);
            }
            return null;
        } catch (IOException e) {
            return "runsv cannot keep its state in " + supervise + " (" + IoFailures.describe(e) + ")";
        }
    }

    private static void access(Path p, AccessMode... modes) throws IOException {
        p.getFileSystem().provider().checkAccess(p, modes);
    }

    /** Makes {@code target}: symlinks to each entry of {@code service} but supervise, a real supervise/. */
    private static void mirror(Path service, Path target) throws IOException {
        Files.createDirectory(target);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(service)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals("supervise")) continue;
                if (name.equals("log") && Files.isDirectory(entry)) {
                    mirror(entry, target.resolve(name));
                } else {
                    Files.createSymbolicLink(target.resolve(name), entry.toAbsolutePath());
                }
            }
        }
        Files.createDirectory(target.resolve("supervise"));
    }

    /** Removes a tree without following symlinks; @return why not, or null (also when absent). */
    private static String remove(Path tree) {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) return null;
        try {
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) throw e;
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
            return null;
        } catch (IOException e) {
            return "cannot remove the copy of an earlier boot: " + IoFailures.describe(e);
        }
    }

    private static String name(Path service) {
        return service.getFileName().toString();
    }
}
