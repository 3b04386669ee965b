package io.jinit.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.jinit.testcontainers.MyInitContainer;
import io.jinit.testcontainers.NeverPullPolicy;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Shared plumbing of the integration suite: test images (built once per JVM, offline, from
 * src/test/docker/NAME/Dockerfile FROM jinit/base:latest, or FROM jinit/baseimage:latest when
 * the Dockerfile declares {@code ARG BASEIMAGE}), containers with the suite's fixed
 * settings (never pull, network none), and byte-exact access to files, logs and processes.
 */
final class It {

    static final String BASE = System.getProperty("jinit.base.image", "jinit/base:latest");
    /** The second image (images/baseimage), {@code -Djinit.baseimage.image}. */
    static final String BASEIMAGE = System.getProperty("jinit.baseimage.image", "jinit/baseimage:latest");
    static final NeverPullPolicy NEVER_PULL = new NeverPullPolicy();
    private static final Path DOCKER_DIR = Path.of(System.getProperty("jinit.docker.dir", "src/test/docker"));
    private static final Map<String, String> IMAGES = new ConcurrentHashMap<>();
    private static boolean ready;
    private static Boolean dockerInit;

    private It() {
    }

    /**
     * Fails, never skips, when Docker does not answer or the base image is missing: a suite that
     * passes because it ran nothing would hide exactly what it is for.
     */
    static synchronized void requireDocker() {
        if (ready) {
            return;
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new AssertionError("Docker is not reachable (TESTCONTAINERS_HOST_OVERRIDE="
                    + System.getenv("TESTCONTAINERS_HOST_OVERRIDE") + ", DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                    + "): start it (images/docker-up.sh) and run again; this suite does not skip");
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(BASE).exec();
        } catch (NotFoundException e) {
            throw new AssertionError("image " + BASE + " does not exist: build it with `bash images/build.sh`");
        }
        ready = true;
    }

    /**
     * The tag of the test image src/test/docker/NAME, built on first use with
     * {@code DOCKER_BUILDKIT=0 docker build --network=none} (Docker's layer cache makes a rebuild
     * after a change of jinit/base cheap and a rebuild without one nearly free). A Dockerfile
     * with a line {@code ARG BASEIMAGE=...} is built FROM {@link #BASEIMAGE} (build argument
     * BASEIMAGE) and tagged after it; every other one FROM {@link #BASE} (build argument BASE).
     *
     * @throws AssertionError when there is no Dockerfile or the build fails (with its output)
     */
    static String image(String name) {
        requireDocker();
        return IMAGES.computeIfAbsent(name, It::build);
    }

    private static String build(String name) {
        Path dockerfile = DOCKER_DIR.resolve(name).resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile)) {
            throw new AssertionError("no Dockerfile in " + dockerfile.getParent().toAbsolutePath());
        }
        boolean onBaseimage;
        try {
            onBaseimage = Files.readAllLines(dockerfile).stream().anyMatch(l -> l.strip().startsWith("ARG BASEIMAGE"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String arg = onBaseimage ? "BASEIMAGE" : "BASE";
        String from = onBaseimage ? BASEIMAGE : BASE;
        return build(name, name, List.of(arg + "=" + from), from);
    }

    /**
     * The test image src/test/docker/NAME built with the given build arguments (e.g. {@code
     * BASE=jinit/baseimage:latest}), tagged {@code jinit-it/TAGNAME:<tag of from>}; built once per JVM.
     *
     * @param from the image it is built FROM, for the tag and the error message
     */
    static String image(String name, String tagName, List<String> buildArgs, String from) {
        requireDocker();
        return IMAGES.computeIfAbsent(tagName, t -> build(name, tagName, buildArgs, from));
    }

    private static String build(String name, String tagName, List<String> buildArgs, String from) {
        Path dir = DOCKER_DIR.resolve(name);
        // tagged after the base image's tag, so that two checkouts testing different bases
        // (jinit/base:latest, jinit/base:mybranch) never overwrite each other's test images
        String tag = "jinit-it/" + tagName + ":" + from.substring(from.lastIndexOf(':') + 1).replaceAll("[^A-Za-z0-9_.-]", "_");
        List<String> cmd = new ArrayList<>(List.of("docker", "build", "--network=none"));
        for (String a : buildArgs) cmd.addAll(List.of("--build-arg", a));
        cmd.addAll(List.of("-t", tag, dir.toString()));
        CommandResult r = run(cmd, Map.of("DOCKER_BUILDKIT", "0"), Duration.ofMinutes(5));
        if (r.status() != 0) {
            throw new AssertionError("building " + tag + " from " + dir + " FROM " + from + " failed (" + r.status()
                    + "):\n" + r.output() + "\n(build " + from + " with `bash images/build.sh`)");
        }
        return tag;
    }

    /** A my_init container of the image with the suite's settings: never pull, no network. */
    static MyInitContainer myInit(String image) {
        requireDocker();
        return new MyInitContainer(image).withImagePullPolicy(NEVER_PULL).withNetworkMode("none");
    }

    /**
     * Whether the daemon runs containers with {@code --init} (its docker-init binary exists):
     * tried once with a throw-away container.
     */
    static synchronized boolean dockerInitWorks() {
        if (dockerInit == null) {
            CommandResult r = run(List.of("docker", "run", "--rm", "--init", "--pull", "never", "--network", "none",
                    BASE, "true"), Map.of(), Duration.ofSeconds(60));
            dockerInit = r.status() == 0;
        }
        return dockerInit;
    }

    record CommandResult(int status, String output) {
    }

    /** Runs a host command (stdin closed, stderr merged into stdout). */
    static CommandResult run(List<String> cmd, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread pump = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // process gone
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not end within " + timeout);
            }
            pump.join();
            return new CommandResult(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /**
     * The entries under PATH in the container (running or stopped), through Docker's archive
     * API: entry name relative to PATH's parent → exact bytes (directories map to empty arrays).
     */
    static Map<String, byte[]> readTree(GenericContainer<?> c, String path) {
        Map<String, byte[]> out = new TreeMap<>();
        try (InputStream in = docker().copyArchiveFromContainerCmd(c.getContainerId(), path).exec();
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), e.isFile() ? tar.readAllBytes() : new byte[0]);
            }
        } catch (NotFoundException missing) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** One file's exact bytes, or null when it does not exist. */
    static byte[] readFile(GenericContainer<?> c, String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        return readTree(c, path).get(base);
    }

    /** One file as UTF-8 text, or "" when it does not exist. */
    static String readText(GenericContainer<?> c, String path) {
        byte[] b = readFile(c, path);
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    record Output(byte[] stdout, byte[] stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    /**
     * The container's stdout and stderr so far, each byte for byte as Docker's log driver kept
     * them (exact with the {@code local} driver; {@code json-file} turns invalid UTF-8 into U+FFFD).
     */
    static Output logs(GenericContainer<?> c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            docker().logContainerCmd(c.getContainerId()).withStdOut(true).withStdErr(true).withFollowStream(false)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame f) {
                            (f.getStreamType() == StreamType.STDERR ? err : out).writeBytes(f.getPayload());
                        }
                    }).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return new Output(out.toByteArray(), err.toByteArray());
    }

    /** Runs a command in the container; fails the test unless it exits 0; returns its stdout. */
    static String exec(GenericContainer<?> c, String... cmd) {
        try {
            Container.ExecResult r = c.execInContainer(cmd);
            if (r.getExitCode() != 0) {
                throw new AssertionError(List.of(cmd) + " exited " + r.getExitCode() + ": " + r.getStderr() + r.getStdout());
            }
            return r.getStdout();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts a command in the container like {@code docker exec -d}: not waited for, not a child of PID 1. */
    static void execDetached(GenericContainer<?> c, String... cmd) {
        String id = docker().execCreateCmd(c.getContainerId()).withCmd(cmd).exec().getId();
        docker().execStartCmd(id).withDetach(true).exec(new ResultCallback.Adapter<>());
    }

    /** One line of {@code ps -e -o pid=,ppid=,stat=,comm=,args=}. */
    record Proc(int pid, int ppid, String stat, String comm, String args) {
    }

    static List<Proc> ps(GenericContainer<?> c) {
        List<Proc> list = new ArrayList<>();
        for (String line : exec(c, "ps", "-e", "-o", "pid=,ppid=,stat=,comm=,args=").lines().toList()) {
            String[] f = line.strip().split("\\s+", 5);
            if (f.length >= 4) {
                list.add(new Proc(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], f[3], f.length == 5 ? f[4] : ""));
            }
        }
        return list;
    }

    /** Polls every 100 ms until the condition holds; fails the test after the timeout. */
    static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Whether a path exists in the (running) container. */
    static boolean exists(GenericContainer<?> c, String path) {
        try {
            return c.execInContainer("test", "-e", path).getExitCode() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
