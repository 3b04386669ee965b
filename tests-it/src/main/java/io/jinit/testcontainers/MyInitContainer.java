package io.jinit.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.exception.DockerException;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A container whose PID 1 is {@code my_init} (jinit's, or phusion baseimage-docker's):
 * an image built {@code FROM jinit/base} with {@code CMD ["/sbin/my_init"]} or a command such as
 * {@code /sbin/my_init -- my-server --port 8080}.
 *
 * <p>What it adds to {@link GenericContainer}:
 * <ul>
 *   <li>{@link MyInitBootWaitStrategy} as the default wait strategy: {@link #start()} returns when
 *       startup scripts ran, runit is up and every enabled service runs and passes its
 *       {@code ./check} (or those named with {@link #waitingForServices(String...)}; with
 *       {@code --skip-runit}, when the main command has been started). How my_init runs is read
 *       from its command line and its {@code MY_INIT_*} variables, in text or JSON log format.</li>
 *   <li>{@link #stopGracefully(Duration)}: {@code docker stop -t} (SIGTERM to my_init, which stops
 *       the services and the main command, then SIGKILL after the grace period) and the init's exit
 *       status. {@link #stop()} of Testcontainers sends SIGKILL at once: no shutdown hooks, no
 *       service gets a chance to clean up.</li>
 *   <li>{@link #awaitExit(Duration)} for a main command that ends on its own, and
 *       {@link #expectingExit()} for containers that may exit before {@code start()} looked.</li>
 *   <li>{@link #containerEnvironment()} and {@link #services()}: the files my_init writes and
 *       runit's view of the services; {@link #initLog()}: the init's log as events.</li>
 * </ul>
 *
 * <p>Nothing else is changed: pull policy, network, mounts and the command are Testcontainers'
 * usual settings. For an image that exists only locally, use
 * {@code withImagePullPolicy(new NeverPullPolicy())}. A wait strategy set with
 * {@link #waitingFor} replaces the boot wait.
 */
public class MyInitContainer extends GenericContainer<MyInitContainer> {

    /** Where {@code my_init} is in jinit's and phusion's images. */
    public static final String MY_INIT = "/sbin/my_init";

    /**
     * The oldest Testcontainers this helper works with: 2.0.0 (it is built and tested with 2.0.5).
     * Testcontainers 1.x (e.g. 1.21.x) is refused by the constructors.
     */
    public static final String MINIMUM_TESTCONTAINERS = "2.0.0";

    private static final String SERVICES_PROBE = """
            # a tree my_init runs from a copy (read-only root, non-root user: /run/jinit/service)
            dir=$1
            case $1 in */etc/service) c="${1%/etc/service}/run/jinit/service"; [ -d "$c" ] && dir=$c ;; esac
            for d in "$dir"/*; do
              [ -d "$d" ] || continue
              if [ -e "$d/down" ]; then up=0; else up=1; fi
              echo "service $up ${d##*/}"
              echo "status $(sv status "$d" 2>&1 | head -n 1)"
            done
            """;

    /**
     * A container of the given image, with the boot wait strategy.
     *
     * @param image an image whose command runs {@code my_init}, e.g. {@code jinit/base:latest}
     * @throws IllegalStateException when Testcontainers older than {@value #MINIMUM_TESTCONTAINERS}
     *                               is on the class path
     */
    public MyInitContainer(DockerImageName image) {
        super(requireSupportedTestcontainers(image));
        waitingFor(new MyInitBootWaitStrategy());
    }

    /**
     * A container of an image that is made when the container starts, as
     * {@code GenericContainer(Future)} takes it, e.g.
     * {@code new MyInitContainer(new ImageFromDockerfile().withDockerfileFromBuilder(b ->
     * b.from("jinit/base:latest").cmd("/sbin/my_init").build()))}; with the boot wait strategy.
     *
     * @param image the image name, once built (e.g. an {@code ImageFromDockerfile})
     * @throws IllegalStateException when Testcontainers older than {@value #MINIMUM_TESTCONTAINERS}
     *                               is on the class path
     */
    public MyInitContainer(Future<String> image) {
        super(requireSupportedTestcontainers(image));
        waitingFor(new MyInitBootWaitStrategy());
    }

    /** Refuses Testcontainers older than 2.0 before GenericContainer runs into a missing method. */
    private static <T> T requireSupportedTestcontainers(T image) {
        checkTestcontainersVersion(GenericContainer.class.getPackage().getImplementationVersion());
        return image;
    }

    /**
     * Checks a Testcontainers version against {@link #MINIMUM_TESTCONTAINERS}.
     *
     * @param version the version of the Testcontainers jar in use (its manifest's
     *                {@code Implementation-Version}, e.g. {@code 2.0.5}); null when unknown, which
     *                is accepted
     * @throws IllegalStateException naming the version found and the one needed, when older than 2.0
     */
    static void checkTestcontainersVersion(String version) {
        if (version == null || version.isBlank()) {
            return;
        }
        int dot = version.indexOf('.');
        String major = dot < 0 ? version : version.substring(0, dot);
        int m;
        try {
            m = Integer.parseInt(major.strip());
        } catch (NumberFormatException e) {
            return;
        }
        if (m < 2) {
            throw new IllegalStateException("jinit-testcontainers needs Testcontainers " + MINIMUM_TESTCONTAINERS
                    + " or newer, but Testcontainers " + version + " is on the class path: import "
                    + "org.testcontainers:testcontainers-bom 2.0.5 (or newer) and use the artifact "
                    + "testcontainers-junit-jupiter (1.x's is called junit-jupiter)");
        }
    }

    /**
     * A container of the given image, with the boot wait strategy.
     *
     * @param image an image name such as {@code jinit/base:latest}
     * @throws IllegalStateException when Testcontainers older than {@value #MINIMUM_TESTCONTAINERS}
     *                               is on the class path
     */
    public MyInitContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /**
     * Sets the command to {@code /sbin/my_init} followed by the given words, e.g.
     * {@code withMyInitCommand("--quiet", "--", "my-server", "--port", "8080")}.
     *
     * @param args my_init's options, then optionally {@code --} and the main command
     * @return this container
     */
    public MyInitContainer withMyInitCommand(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = MY_INIT;
        System.arraycopy(args, 0, cmd, 1, args.length);
        return withCommand(cmd);
    }

    /**
     * Makes {@link #start()} wait for these runit services: each must be {@code run:} in
     * {@code sv status} and, when its directory has an executable {@code check} script, that script
     * must exit 0 (run in the service directory as {@code sv check} does). Without a call, or with no
     * names, {@code start()} waits for every enabled service (no {@code down} file). A crash-looping
     * service fails {@code start()} early, naming it; a name that is not a directory in
     * {@code /etc/service} fails it at once. Replaces a wait strategy set with {@link #waitingFor}.
     *
     * @param names service names, e.g. {@code "web", "db"}
     * @return this container
     * @throws IllegalArgumentException when a name is empty or contains {@code /}
     */
    public MyInitContainer waitingForServices(String... names) {
        MyInitBootWaitStrategy wait = new MyInitBootWaitStrategy().forServices(names);
        if (getWaitStrategy() instanceof MyInitBootWaitStrategy) {
            // keep a startup timeout set before
            wait.withStartupTimeout(((MyInitBootWaitStrategy) getWaitStrategy()).startupTimeout());
        }
        return waitingFor(wait);
    }

    /**
     * Declares that the container's command ends on its own, perhaps before {@link #start()} looks
     * at it (e.g. {@code my_init -- sh -c 'exit 3'}, or a failing startup script): {@code start()}
     * then succeeds once the container is running or has exited with any status, and does not wait
     * for boot. Read the status with {@link #awaitExit(Duration)} and the output with
     * {@link #getLogs()}; the container is kept until {@link #stop()}.
     *
     * @return this container
     */
    public MyInitContainer expectingExit() {
        withStartupCheckStrategy(new ExitedOrRunningStartupCheck());
        return waitingFor(new AbstractWaitStrategy() {
            @Override
            protected void waitUntilReady() {
                // nothing to wait for: the container may already be gone
            }
        });
    }

    /**
     * Stops the container as {@code docker stop -t SECONDS} does: SIGTERM to PID 1 (my_init,
     * which then runs its shutdown: pre-shutdown scripts, stopping the runit services, the main
     * command, post-shutdown scripts, killing the remaining processes), and SIGKILL if the
     * container still runs after the grace period. Returns when the container has stopped. The
     * container is not removed: logs, files ({@link #containerEnvironment()}) and the exit status
     * stay readable until {@link #stop()}.
     *
     * @param gracePeriod how long Docker waits before SIGKILL; rounded up to whole seconds
     *                    (Docker's unit), at most {@link Integer#MAX_VALUE} seconds
     * @return the container's exit status: my_init's own status, 2 after SIGTERM per the my_init
     *         contract, or 137 (128 + SIGKILL) when the grace period ran out
     * @throws IllegalStateException    when the container was not started
     * @throws IllegalArgumentException when {@code gracePeriod} is negative
     * @throws com.github.dockerjava.api.exception.DockerException when Docker refuses (e.g. the
     *         container was removed)
     */
    public int stopGracefully(Duration gracePeriod) {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("negative grace period: " + gracePeriod);
        }
        String id = requireContainerId();
        long ms = gracePeriod.toMillis();
        int seconds = (int) Math.min(Integer.MAX_VALUE, (ms + 999) / 1000);
        DockerClient docker = getDockerClient();
        try {
            docker.stopContainerCmd(id).withTimeout(seconds).exec();
        } catch (NotModifiedException alreadyStopped) {
            // the container had already exited: its status is what we return
        }
        return exitStatus(docker, id);
    }

    /**
     * Waits for the container to exit on its own (e.g. the main command ended and my_init shut
     * down) and returns its exit status; the container is kept until {@link #stop()}.
     *
     * @param timeout how long to wait; the wait has millisecond resolution
     * @return the container's exit status (my_init's status: the main command's status N, 128+S
     *         when it was killed by signal S, 1 when a startup script failed, ...)
     * @throws IllegalStateException when the container was not started, or it is still running
     *                               after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        String id = requireContainerId();
        DockerClient docker = getDockerClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var state = docker.inspectContainerCmd(id).exec().getState();
            if (!Boolean.TRUE.equals(state.getRunning()) && !"created".equals(state.getStatus())) {
                return exitStatus(docker, id);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("container " + id + " still runs after " + timeout.toMillis() + " ms");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for container " + id, e);
            }
        }
    }

    /**
     * Reads {@code /etc/container_environment/}, {@code /etc/container_environment.sh} and
     * {@code /etc/container_environment.json} with their permission bits, byte for byte, through
     * Docker's archive API. Works on a running and on a stopped (not yet removed) container.
     *
     * @return the snapshot; parts that do not exist are empty
     * @throws IllegalStateException when the container was not started
     * @throws UncheckedIOException  when the archive cannot be read
     */
    public ContainerEnvironmentFiles containerEnvironment() {
        String id = requireContainerId();
        OptionalInt dirMode = OptionalInt.empty();
        TreeMap<String, byte[]> vars = new TreeMap<>();
        Map<String, ContainerEnvironmentFiles.File> dir = readArchive(id, "/etc/container_environment");
        for (var e : dir.entrySet()) {
            String name = e.getKey();
            if (name.equals("container_environment/") || name.equals("container_environment")) {
                dirMode = OptionalInt.of(e.getValue().mode());
            } else if (name.startsWith("container_environment/") && !name.endsWith("/")) {
                String rest = name.substring("container_environment/".length());
                if (!rest.contains("/")) {
                    vars.put(rest, e.getValue().content());
                }
            }
        }
        Optional<ContainerEnvironmentFiles.File> sh =
                Optional.ofNullable(readArchive(id, "/etc/container_environment.sh").get("container_environment.sh"));
        Optional<ContainerEnvironmentFiles.File> json =
                Optional.ofNullable(readArchive(id, "/etc/container_environment.json").get("container_environment.json"));
        return new ContainerEnvironmentFiles(dirMode, vars, sh, json);
    }

    /**
     * Lists the runit services, i.e. the directories in {@code /etc/service} (or
     * {@code DIR/etc/service} for {@code my_init --root DIR}), each with {@code sv status},
     * by one {@code docker exec} of {@code sh} and {@code sv}. Directories whose name starts
     * with a dot are left out, as runsvdir(8) ignores them.
     *
     * @return the services sorted by name; empty when there are none
     * @throws IllegalStateException when the container was not started, is not running (it exited
     *                               or was stopped), or the exec fails
     */
    public List<ServiceStatus> services() {
        String id = requireContainerId();
        InspectContainerResponse.ContainerState state;
        try {
            state = getDockerClient().inspectContainerCmd(id).exec().getState();
        } catch (DockerException e) {
            throw new IllegalStateException("services() cannot inspect container " + id + ": " + e.getMessage(), e);
        }
        if (!Boolean.TRUE.equals(state.getRunning())) {
            throw new IllegalStateException("services() needs a running container, but container " + id + " is "
                    + state.getStatus() + " (exit status " + state.getExitCodeLong() + ")");
        }
        MyInitCommandLine cmd = commandLine();
        try {
            ExecResult r = execInContainer("sh", "-c", SERVICES_PROBE, "services", cmd.serviceDir());
            if (r.getExitCode() != 0) {
                throw new IllegalStateException("listing services failed with status " + r.getExitCode()
                        + ": " + r.getStderr().strip());
            }
            return parseProbe(r.getStdout());
        } catch (IOException | DockerException e) {
            // DockerException: e.g. 409 Conflict when the container stopped since the inspect
            throw new IllegalStateException("docker exec in container " + id + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing services", e);
        }
    }

    /**
     * The init's log so far: its events in the container's stderr, parsed as the boot wait
     * parses them, in the format my_init writes here (text, or JSON with
     * {@code --log-format=json} / {@code MY_INIT_LOG_FORMAT=json}, read from the container's
     * command line and environment). Works on a running and on a stopped (not yet removed)
     * container; lines that are not the init's are left out.
     *
     * @return the events in order
     * @throws IllegalStateException when the container was not started
     * @throws com.github.dockerjava.api.exception.DockerException when Docker cannot give the
     *         logs (e.g. the container was removed)
     */
    public InitLog initLog() {
        requireContainerId();
        return InitLog.parse(getLogs(OutputFrame.OutputType.STDERR), commandLine().json());
    }

    /** How my_init runs here: the command line and MY_INIT_* variables of the started container. */
    private MyInitCommandLine commandLine() {
        InspectContainerResponse info = getContainerInfo();
        return MyInitCommandLine.parse(info.getPath(),
                info.getArgs() == null ? List.of() : List.of(info.getArgs()),
                MyInitCommandLine.environment(info.getConfig() == null ? null : info.getConfig().getEnv()));
    }

    /** Parses the "service UP NAME" / "status LINE" pairs printed by the probes. */
    static List<ServiceStatus> parseProbe(String out) {
        List<ServiceStatus> list = new ArrayList<>();
        String name = null;
        boolean up = true;
        for (String line : out.lines().toList()) {
            if (line.startsWith("service ") && line.length() > 10) {
                up = line.charAt(8) == '1';
                name = line.substring(10);
            } else if (line.startsWith("status ") && name != null) {
                list.add(ServiceStatus.parse(name, up, line.substring(7)));
                name = null;
            }
        }
        list.sort((a, b) -> a.name().compareTo(b.name()));
        return List.copyOf(list);
    }

    private Map<String, ContainerEnvironmentFiles.File> readArchive(String id, String path) {
        Map<String, ContainerEnvironmentFiles.File> out = new LinkedHashMap<>();
        try (InputStream in = getDockerClient().copyArchiveFromContainerCmd(id, path).exec();
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            // through the supertype: its getNextEntry() has the same descriptor in every
            // commons-compress version (TarArchiveInputStream's covariant one is newer)
            ArchiveInputStream<?> archive = tar;
            ArchiveEntry next;
            while ((next = archive.getNextEntry()) != null) {
                TarArchiveEntry e = (TarArchiveEntry) next;
                byte[] content = e.isFile() ? tar.readAllBytes() : new byte[0];
                out.put(e.getName(), new ContainerEnvironmentFiles.File(content, e.getMode() & 07777));
            }
        } catch (com.github.dockerjava.api.exception.NotFoundException missing) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + " from container " + id, e);
        }
        return out;
    }

    private String requireContainerId() {
        String id = getContainerId();
        if (id == null) {
            throw new IllegalStateException("the container has not been started");
        }
        return id;
    }

    private static int exitStatus(DockerClient docker, String id) {
        Long code = docker.inspectContainerCmd(id).exec().getState().getExitCodeLong();
        if (code == null) {
            throw new IllegalStateException("Docker reports no exit status for container " + id);
        }
        return code.intValue();
    }
}
