package io.jinit.testcontainers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Waits until {@code my_init} has finished booting:
 * <ul>
 *   <li><b>runit mode</b> (no {@code --skip-runit}): runsvdir(8) is running and every service
 *       directory in the service directory is {@linkplain ServiceStatus#isSettled() settled}:
 *       {@code run:} per {@code sv status} when it has no {@code down} file, supervised
 *       ({@code down:}) when it has one. Startup scripts and {@code rc.local} are done by then,
 *       because my_init starts runit after them. Checked by {@code docker exec} of {@code sh} and
 *       {@code sv} in the container every 250 ms, so it also works with {@code --quiet}.</li>
 *   <li><b>{@code --skip-runit} mode</b>: the init logged {@code *** Running <main command>...}
 *       on stderr, i.e. the main command has been started. With {@code --quiet} that line is
 *       not logged; then the strategy only waits for the container to be running.</li>
 * </ul>
 * The mode, the {@code --root} directory and the main command are read from the command Docker
 * started (inspect's {@code Path} and {@code Args}); {@code my_init} may also be an argument of a
 * wrapper such as {@code tini -- /sbin/my_init}. A command without {@code my_init} is treated
 * as runit mode with {@code /etc/service}.
 *
 * <p>Fails with {@link ContainerLaunchException} when the container exits before boot is done
 * (e.g. a startup script failed: my_init exits 1), naming the exit status and the last log
 * lines, or when the startup timeout (default 60 s, see {@link #withStartupTimeout}) passes.
 */
public class MyInitBootWaitStrategy extends AbstractWaitStrategy {

    private static final Duration POLL = Duration.ofMillis(250);

    /** The shell script run by docker exec; $1 is the service directory. */
    private static final String PROBE = """
            found=0
            for p in /proc/[0-9]*; do
              if [ "$(cat "$p/comm" 2>/dev/null)" = runsvdir ]; then found=1; fi
            done
            echo "runsvdir $found"
            for d in "$1"/*; do
              [ -d "$d" ] || continue
              if [ -e "$d/down" ]; then up=0; else up=1; fi
              echo "service $up ${d##*/}"
              echo "status $(sv status "$d" 2>&1 | head -n 1)"
            done
            """;

    /** Creates the strategy with a 60 s startup timeout. */
    public MyInitBootWaitStrategy() {
        this.startupTimeout = Duration.ofSeconds(60);
    }

    @Override
    protected void waitUntilReady() {
        InspectContainerResponse info = waitStrategyTarget.getContainerInfo();
        MyInitCommandLine cmd = MyInitCommandLine.parse(info.getPath(),
                info.getArgs() == null ? List.of() : Arrays.asList(info.getArgs()));
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        String last = "nothing checked yet";
        while (true) {
            if (!waitStrategyTarget.isRunning()) {
                throw exitedEarly();
            }
            if (cmd.skipRunit()) {
                if (cmd.quiet() || cmd.main().isEmpty()) {
                    return;
                }
                String wanted = "*** Running " + String.join(" ", cmd.main()) + "...";
                String err = waitStrategyTarget.getLogs(OutputFrame.OutputType.STDERR);
                if (err.lines().anyMatch(wanted::equals)) {
                    return;
                }
                last = "no line '" + wanted + "' on stderr yet";
            } else {
                String why = runitNotReady(cmd.serviceDir());
                if (why == null) {
                    return;
                }
                last = why;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ContainerLaunchException("my_init did not finish booting within "
                        + startupTimeout.toMillis() + " ms: " + last + "\nlast log lines:\n" + tail());
            }
            sleep();
        }
    }

    /** @return null when runit is up and every service settled, otherwise the reason */
    private String runitNotReady(String serviceDir) {
        List<ServiceStatus> services;
        boolean runsvdir;
        try {
            var r = waitStrategyTarget.execInContainer("sh", "-c", PROBE, "probe", serviceDir);
            if (r.getExitCode() != 0) {
                return "probe exited " + r.getExitCode() + ": " + r.getStderr().strip();
            }
            runsvdir = r.getStdout().lines().anyMatch("runsvdir 1"::equals);
            services = MyInitContainer.parseProbe(r.getStdout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerLaunchException("interrupted while waiting for my_init to boot", e);
        } catch (Exception e) {
            // the exec can fail while the container is going away; the caller re-checks isRunning()
            return "docker exec failed: " + e;
        }
        if (!runsvdir) {
            return "runsvdir is not running yet";
        }
        for (ServiceStatus s : services) {
            if (!s.isSettled()) {
                return "service " + s.name() + " is not settled: " + s.line();
            }
        }
        return null;
    }

    private ContainerLaunchException exitedEarly() {
        Long code = null;
        try {
            code = waitStrategyTarget.getCurrentContainerInfo().getState().getExitCodeLong();
        } catch (RuntimeException ignored) {
            // container already removed
        }
        return new ContainerLaunchException("container exited with status " + code
                + " before my_init finished booting\nlast log lines:\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = waitStrategyTarget.getLogs().lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (RuntimeException e) {
            return "(logs unavailable: " + e + ")";
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerLaunchException("interrupted while waiting for my_init to boot", e);
        }
    }
}
