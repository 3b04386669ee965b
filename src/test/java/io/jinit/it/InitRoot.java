package io.jinit.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fake filesystem root for one run of my_init ({@code --root DIR}): the {@code etc/}
 * layout of the contract, plus an {@code out/} directory where test scripts leave markers.
 * Paths handed to scripts are absolute, so scripts work whatever their cwd.
 */
public final class InitRoot {
    private final Path dir;

    /**
     * Creates the layout under dir: etc/container_environment (0700), etc/my_init.d,
     * etc/service, etc/my_init.pre_shutdown.d, etc/my_init.post_shutdown.d, out/.
     *
     * @param dir an empty directory (a JUnit temp dir)
     */
    public InitRoot(Path dir) {
        this(dir, true);
    }

    /**
     * @param dir a directory the test lays out itself
     * @return a root on dir that creates nothing in it
     */
    public static InitRoot existing(Path dir) {
        return new InitRoot(dir, false);
    }

    private InitRoot(Path dir, boolean layout) {
        this.dir = dir.toAbsolutePath();
        if (!layout) {
            return;
        }
        try {
            Files.createDirectories(etc());
            Files.createDirectories(envDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectories(startupDir());
            Files.createDirectories(serviceDir());
            Files.createDirectories(preShutdownDir());
            Files.createDirectories(postShutdownDir());
            Files.createDirectories(out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the root directory (absolute) */
    public Path path() { return dir; }

    /** @return root/etc */
    public Path etc() { return dir.resolve("etc"); }

    /** @return root/etc/container_environment */
    Path envDir() { return etc().resolve("container_environment"); }

    /** @return root/etc/container_environment.sh */
    Path envSh() { return etc().resolve("container_environment.sh"); }

    /** @return root/etc/my_init.d */
    public Path startupDir() { return etc().resolve("my_init.d"); }

    /** @return root/etc/rc.local */
    Path rcLocal() { return etc().resolve("rc.local"); }

    /** @return root/etc/service */
    Path serviceDir() { return etc().resolve("service"); }

    /** @return root/etc/my_init.pre_shutdown.d */
    Path preShutdownDir() { return etc().resolve("my_init.pre_shutdown.d"); }

    /** @return root/etc/my_init.post_shutdown.d */
    Path postShutdownDir() { return etc().resolve("my_init.post_shutdown.d"); }

    /** @return root/out, for markers written by test scripts */
    Path out() { return dir.resolve("out"); }

    /**
     * @param name a marker name
     * @return root/out/name
     */
    public Path out(String name) { return out().resolve(name); }

    /**
     * Writes an executable (0755) file with exactly this content.
     *
     * @param file the file
     * @param content its content
     * @return file
     */
    public static Path executable(Path file, String content) {
        return write(file, content, "rwxr-xr-x");
    }

    /**
     * Writes an executable {@code #!/bin/sh} script.
     *
     * @param file the file
     * @param body the script after the shebang line
     * @return file
     */
    public static Path sh(Path file, String body) {
        return executable(file, "#!/bin/sh\n" + body + (body.endsWith("\n") ? "" : "\n"));
    }

    /**
     * Writes a file with the given permissions (e.g. "rw-r--r--").
     *
     * @param file the file
     * @param content its content (UTF-8)
     * @param perms the permission string
     * @return file
     */
    static Path write(Path file, String content, String perms) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates a runit service directory etc/service/NAME with an executable run script.
     *
     * @param name the service name
     * @param runBody the body of the {@code #!/bin/sh} run script
     * @return the service directory
     */
    public Path service(String name, String runBody) {
        Path d = serviceDir().resolve(name);
        sh(d.resolve("run"), runBody);
        return d;
    }

    /**
     * @param file a file
     * @return its content as UTF-8, or "" if it does not exist
     */
    public static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param file a file
     * @return its lines, or an empty list if it does not exist
     */
    public static List<String> lines(Path file) {
        return read(file).lines().toList();
    }

    /**
     * Waits until a file exists (and is not empty).
     *
     * @param file the file
     * @param timeout the bound
     * @return true if it appeared in time
     */
    static boolean awaitFile(Path file, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (Files.exists(file) && Files.size(file) > 0) {
                    return true;
                }
                Thread.sleep(20);
            } catch (IOException e) {
                // raced with a writer: try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Runs a /bin/sh command in the root directory (for things Java cannot express, like
     * file names that are not UTF-8) and fails if it does not exit 0 within 10 s.
     *
     * @param script the sh -c script
     */
    void shell(String script) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-ec", script).directory(dir.toFile())
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("setup shell timed out: " + script);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("setup shell failed (" + p.exitValue() + "): " + script + "\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
