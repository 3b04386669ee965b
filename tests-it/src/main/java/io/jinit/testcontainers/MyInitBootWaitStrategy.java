package io.jinit.testcontainers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits until {@code my_init} has finished booting and the services are ready.
 *
 * <p>How the init runs is read as the init itself reads it: its command line (inspect's
 * {@code Path} and {@code Args}; {@code my_init} may also be an argument of a wrapper such as
 * {@code tini -- /sbin/my_init}) and, for every option not given there, the container's
 * {@code MY_INIT_*} variables (inspect's {@code Config.Env}: the image's {@code ENV} and
 * {@code withEnv}). Log lines are understood in both formats, {@code *** message} and
 * {@code --log-format=json}. A command without {@code my_init} is treated as runit mode with
 * {@code /etc/service}.
 * <ul>
 *   <li><b>runit mode</b> (no {@code --skip-runit}): runsvdir(8) is running and each awaited service
 *       is ready: {@code run:} per {@code sv status} (the same PID in two looks 250 ms apart) and, when
 *       it has an executable {@code ./check}, the check exits 0 (run in the service directory, as
 *       {@code sv check} does). The awaited services are those named with
 *       {@link #forServices(String...)}, or by default every enabled service (no {@code down} file);
 *       a service with a {@code down} file only has to be supervised. Startup scripts and
 *       {@code rc.local} are done by then, because my_init starts runit after them. Checked by
 *       {@code docker exec} of {@code sh}, {@code sv} and {@code od} every 250 ms.</li>
 *   <li><b>with {@code --wait-for-services}</b> the init's own verdict counts too: boot is done when
 *       it logged that the services are ready ({@code services.ready}) or, with
 *       {@code --services-not-ready=warn}, that it goes on without them; it fails at once with the
 *       init's message when the init gave up ({@code Services not ready after ...}). With
 *       {@code --quiet} the ready line is hidden and the helper's own check decides.</li>
 *   <li><b>{@code --skip-runit} mode</b>: the init logged that it runs the main command
 *       ({@code *** Running <main command>...} or the JSON {@code main.start} event). With
 *       {@code --quiet} that line is hidden; then boot is done when the init has a child that is
 *       not a startup script (the main command).</li>
 * </ul>
 *
 * <p>Fails with {@link ContainerLaunchException}, naming the reason and the last log lines:
 * <ul>
 *   <li>when the container exits before boot is done: a startup script failed (my_init exits 1),
 *       the services were not ready, or the main command ended on its own (use
 *       {@link MyInitContainer#expectingExit()} for such a container); an out-of-memory kill
 *       (Docker's {@code State.OOMKilled}) is named with the container's memory limit;</li>
 *   <li>at once, when runit cannot supervise an awaited service (runsv's
 *       {@code runsv NAME: fatal: REASON}, e.g. {@code unable to open supervise/lock} on a
 *       read-only root file system or as a non-root user), naming the service and quoting runsv;</li>
 *   <li>early, when runit restarted an awaited service {@value #CRASH_LIMIT} times (a crash loop),
 *       naming the service, and whether its {@code run} file lacks the executable bit;</li>
 *   <li>when a service named with {@link #forServices(String...)} does not exist;</li>
 *   <li>when the startup timeout (default 60 s, see {@link #withStartupTimeout}) passes, naming
 *       what was not ready.</li>
 * </ul>
 */
public class MyInitBootWaitStrategy extends AbstractWaitStrategy {

    /** How many times runit may start an awaited service before the wait calls it a crash loop. */
    public static final int CRASH_LIMIT = 3;

    private static final Duration POLL = Duration.ofMillis(250);

    /**
     * The shell script run by docker exec; $1 is the service directory (its copy under
     * {@code /run/jinit/service} when my_init runs the services from there). Per service: its name and
     * whether it is enabled, sv's status line, whether {@code run} is executable, the tai64n stamp
     * of runsv's last state change (supervise/status bytes 0-11, changed at every start and stop),
     * and the exit status of {@code ./check} when the service runs and has an executable one.
     */
    static final String PROBE = """
            found=0
            for p in /proc/[0-9]*; do
              if [ "$(cat "$p/comm" 2>/dev/null)" = runsvdir ]; then found=1; fi
            done
            echo "runsvdir $found"
            # a tree my_init runs from a copy (read-only root, non-root user: /run/jinit/service)
            dir=$1
            case $1 in */etc/service) c="${1%/etc/service}/run/jinit/service"; [ -d "$c" ] && dir=$c ;; esac
            for d in "$dir"/*; do
              [ -d "$d" ] || continue
              if [ -e "$d/down" ]; then up=0; else up=1; fi
              echo "service $up ${d##*/}"
              st=$(sv status "$d" 2>&1 | head -n 1)
              echo "status $st"
              if [ -x "$d/run" ]; then echo "run 1"; else echo "run 0"; fi
              echo "stamp $(od -An -tx1 -N12 "$d/supervise/status" 2>/dev/null | tr -d ' \\n')"
              case $st in
                run:*)
                  if [ -f "$d/check" ] && [ -x "$d/check" ]; then
                    if command -v timeout >/dev/null 2>&1; then
                      (cd "$d" && timeout 10 ./check >/dev/null 2>&1); echo "check $?"
                    else
                      (cd "$d" && ./check >/dev/null 2>&1); echo "check $?"
                    fi
                  fi ;;
              esac
            done
            """;

    /**
     * For {@code --skip-runit --quiet}: prints "main 1" when the init (PID 1, or the process running
     * my_init under a wrapper) has a child that is not a startup script, rc.local or
     * enable_insecure_key. $1 is the startup-script directory.
     */
    static final String MAIN_PROBE = """
            init=1 inits=" "
            for p in /proc/[0-9]*; do
              [ "${p#/proc/}" = "$$" ] && continue
              c=$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)
              case $c in *io.jinit.cli.MyInit*|*/my_init\\ *|*/my_init) inits="$inits${p#/proc/} " ;; esac
            done
            # my_init under a wrapper (docker-init -- /sbin/my_init): the deepest match
            for i in $inits; do
              pp=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$i/status" 2>/dev/null)
              case $inits in *" $pp "*) init=$i ;; esac
            done
            [ "$init" = 1 ] && [ "$inits" != " " ] && case $inits in *" 1 "*) ;; *) init=${inits# }; init=${init%% *} ;; esac
            for p in /proc/[0-9]*; do
              pp=$(sed -n 's/^PPid:[[:space:]]*//p' "$p/status" 2>/dev/null)
              [ "$pp" = "$init" ] || continue
              c=$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)
              case $c in
                *"$1"/*|*/etc/rc.local*|*enable_insecure_key*|"") ;;
                *) echo "main 1"; exit 0 ;;
              esac
            done
            echo "main 0"
            """;

    /** null: every enabled service */
    private Set<String> services;

    /** Creates the strategy with a 60 s startup timeout, waiting for every enabled service. */
    public MyInitBootWaitStrategy() {
        this.startupTimeout = Duration.ofSeconds(60);
    }

    /**
     * Waits for these runit services instead of every enabled one: each must run and pass its
     * {@code ./check} (when it has an executable one). Other services are not looked at.
     *
     * @param names service names, i.e. directory names in {@code /etc/service}, e.g. {@code "web", "db"};
     *              none means every enabled service (the default)
     * @return this strategy
     * @throws IllegalArgumentException when a name is empty or contains {@code /}
     */
    public MyInitBootWaitStrategy forServices(String... names) {
        if (names.length == 0) {
            services = null;
            return this;
        }
        Set<String> set = new LinkedHashSet<>();
        for (String n : names) {
            if (n == null || n.isEmpty() || n.contains("/")) {
                throw new IllegalArgumentException("not a service name: '" + n + "' (a directory name in /etc/service)");
            }
            set.add(n);
        }
        services = set;
        return this;
    }

    /**
     * @return the services named with {@link #forServices(String...)}, empty when every enabled
     *         service is awaited
     */
    public Set<String> services() {
        return services == null ? Set.of() : Set.copyOf(services);
    }

    /** @return the startup timeout set with {@link #withStartupTimeout} (default 60 s) */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    @Override
    protected void waitUntilReady() {
        InspectContainerResponse info = waitStrategyTarget.getContainerInfo();
        Map<String, String> env = MyInitCommandLine.environment(
                info.getConfig() == null ? null : info.getConfig().getEnv());
        MyInitCommandLine cmd = MyInitCommandLine.parse(info.getPath(),
                info.getArgs() == null ? List.of() : Arrays.asList(info.getArgs()), env);
        if (cmd.skipRunit() && services != null) {
            throw new ContainerLaunchException("waitingForServices(" + String.join(", ", services)
                    + ") needs runit, but my_init runs with --skip-runit (or MY_INIT_SKIP_RUNIT)");
        }
        String startupDir = env.getOrDefault("ENV_INIT_DIRECTORY", "/etc/my_init.d");
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        CrashWatch crashes = new CrashWatch();
        String last = "nothing checked yet";
        while (true) {
            if (!waitStrategyTarget.isRunning()) {
                throw exitedEarly(cmd);
            }
            InitLog log = InitLog.parse(waitStrategyTarget.getLogs(OutputFrame.OutputType.STDERR), cmd.json());
            Optional<InitLog.Event> failed = log.scriptFailed();
            if (failed.isPresent()) {
                // my_init now kills what is left and exits 1: report that exit when it comes soon
                awaitExit(Duration.ofSeconds(5));
                if (!waitStrategyTarget.isRunning()) {
                    throw exitedEarly(cmd);
                }
                throw new ContainerLaunchException("a startup script failed, my_init stops: " + failed.get().message()
                        + "\nlast log lines:\n" + tail());
            }
            Optional<InitLog.Event> notReady = log.servicesNotReady();
            boolean initGaveUp = notReady.isPresent() && (notReady.get().level().equals("error")
                    || notReady.get().level().isEmpty() && !notReady.get().message().endsWith("anyway."));
            if (initGaveUp) {
                throw new ContainerLaunchException("my_init gave up waiting for the services (--wait-for-services): "
                        + notReady.get().message() + "\nlast log lines:\n" + tail());
            }
            if (cmd.skipRunit()) {
                if (cmd.main().isEmpty()) {
                    return; // the init refuses to start (exit 1); nothing to wait for
                }
                if (cmd.quiet()) {
                    String why = quietMainNotStarted(startupDir);
                    if (why == null) {
                        return;
                    }
                    last = why;
                } else if (log.mainStarted(cmd.main())) {
                    return;
                } else {
                    last = "my_init has not logged that it runs the main command yet ("
                            + (cmd.json() ? "JSON event main.start" : "*** Running " + String.join(" ", cmd.main()) + "...")
                            + ")";
                }
            } else {
                Optional<String> unsupervised = runsvFatal(waitStrategyTarget.getLogs(), services);
                if (unsupervised.isPresent()) {
                    throw new ContainerLaunchException(unsupervised.get() + "\nlast log lines:\n" + tail());
                }
                String why = runitNotReady(cmd.serviceDir(), crashes);
                if (cmd.waitForServices().isPresent() && !cmd.quiet()) {
                    // the init's verdict: ready, or (--services-not-ready=warn) going on without them
                    boolean initWentOn = log.servicesReady().isPresent() || notReady.isPresent();
                    if (!initWentOn) {
                        why = why != null ? why : "my_init has not said that the services are ready yet (--wait-for-services)";
                    } else if (services == null) {
                        why = null;
                    }
                }
                if (why == null) {
                    return;
                }
                last = why;
            }
            if (System.nanoTime() - deadline > 0) {
                String hint = cmd.waitForServices().filter(w -> w.compareTo(startupTimeout) >= 0)
                        .map(w -> "\n(my_init itself waits up to " + w.toMillis()
                                + " ms for the services: raise withStartupTimeout above that)")
                        .orElse("");
                throw new ContainerLaunchException("my_init did not finish booting within "
                        + startupTimeout.toMillis() + " ms: " + last + hint + "\nlast log lines:\n" + tail());
            }
            sleep();
        }
    }

    /**
     * runsv(8)'s last words about its {@code supervise/} directory: {@code runsv NAME: fatal:
     * unable to (open|lock|mkdir|readlink|mkfifo ...) supervise...}. Its other fatal line, {@code
     * unable to start ./run}, is a crash loop, reported as such.
     */
    private static final Pattern RUNSV_FATAL =
            Pattern.compile("^runsv (\\S+): fatal: (unable to [^\\n]*supervise[^\\n]*)$", Pattern.MULTILINE);

    /**
     * Finds a service that runit cannot supervise: runsv wrote {@code runsv NAME: fatal: REASON}
     * about the service's {@code supervise/} directory and exited (e.g. {@code unable to open supervise/lock: read-only file system} on a read-only
     * root file system, {@code unable to mkdir supervise: access denied} as a non-root user).
     * runsvdir starts it again every few seconds, with the same result, so waiting is pointless.
     *
     * @param logs     the container's output so far (runsv writes to the init's stderr)
     * @param services the awaited services; null for every service
     * @return the reason to fail, naming the service and quoting runsv; empty when there is none
     */
    static Optional<String> runsvFatal(String logs, Set<String> services) {
        Matcher m = RUNSV_FATAL.matcher(logs);
        while (m.find()) {
            String name = m.group(1);
            if (services == null || services.contains(name)) {
                return Optional.of("service " + name + " cannot be supervised: runsv says \"" + m.group(0).strip()
                        + "\" (runsv needs to create and lock the service's supervise/ directory: a read-only"
                        + " root file system or a non-root user prevents it; make supervise/ a writable directory,"
                        + " e.g. a tmpfs, or a symbolic link to one)");
            }
        }
        return Optional.empty();
    }

    /** @return null when the awaited services are ready, otherwise the reason */
    private String runitNotReady(String serviceDir, CrashWatch crashes) {
        List<Probed> probed;
        boolean runsvdir;
        try {
            var r = waitStrategyTarget.execInContainer("sh", "-c", PROBE, "probe", serviceDir);
            if (r.getExitCode() != 0) {
                return "probe exited " + r.getExitCode() + ": " + r.getStderr().strip();
            }
            runsvdir = r.getStdout().lines().anyMatch("runsvdir 1"::equals);
            probed = parse(r.getStdout());
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
        Map<String, Probed> byName = new HashMap<>();
        for (Probed p : probed) {
            byName.put(p.status().name(), p);
        }
        if (services != null) {
            Set<String> missing = new TreeSet<>(services);
            missing.removeAll(byName.keySet());
            if (!missing.isEmpty()) {
                throw new ContainerLaunchException("no service " + String.join(", ", missing) + " in " + serviceDir
                        + " (there are: " + (byName.isEmpty() ? "none" : String.join(", ", new TreeSet<>(byName.keySet())))
                        + ")\nlast log lines:\n" + tail());
            }
        }
        String reason = null;
        for (Probed p : probed) {
            ServiceStatus s = p.status();
            boolean awaited = services == null ? s.normallyUp() : services.contains(s.name());
            if (!awaited) {
                if (services == null && !s.isSettled()) {
                    reason = reason != null ? reason : "service " + s.name() + " is not supervised yet: " + s.line();
                }
                continue;
            }
            int starts = crashes.see(p);
            if (starts >= CRASH_LIMIT && !crashes.ready(p)) {
                throw new ContainerLaunchException("service " + s.name() + " is crash-looping: runit started it "
                        + starts + " times without it staying up (sv status: " + s.line() + ")"
                        + notExecutable(p, serviceDir) + "\nlast log lines:\n" + tail());
            }
            if (reason == null && !crashes.ready(p)) {
                reason = notReady(p, serviceDir);
            }
        }
        return reason;
    }

    private static String notReady(Probed p, String serviceDir) {
        ServiceStatus s = p.status();
        if (s.state() != ServiceStatus.State.RUN) {
            return "service " + s.name() + " is not running: " + s.line() + notExecutable(p, serviceDir);
        }
        if (p.check().isPresent() && p.check().get() != 0) {
            return "service " + s.name() + " runs, but its ./check exited " + p.check().get();
        }
        return "service " + s.name() + " has just been started (waiting to see it stay up): " + s.line();
    }

    private static String notExecutable(Probed p, String serviceDir) {
        return p.runExecutable() ? "" : "; " + serviceDir + "/" + p.status().name()
                + "/run is not executable, so runsv cannot start it (chmod +x it)";
    }

    /** For --skip-runit --quiet: @return null when the main command runs, otherwise the reason */
    private String quietMainNotStarted(String startupDir) {
        try {
            var r = waitStrategyTarget.execInContainer("sh", "-c", MAIN_PROBE, "probe", startupDir);
            if (r.getExitCode() == 126 || r.getExitCode() == 127) {
                return null; // no sh in the image: the container runs, that is all we can know
            }
            if (r.getStdout().lines().anyMatch("main 1"::equals)) {
                return null;
            }
            return "my_init has not started the main command yet (startup scripts still run)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerLaunchException("interrupted while waiting for my_init to boot", e);
        } catch (Exception e) {
            return "docker exec failed: " + e;
        }
    }

    /** One service as the probe saw it. */
    record Probed(ServiceStatus status, boolean runExecutable, String stamp, Optional<Integer> check) {
    }

    /** Parses the probe's output (see {@link #PROBE}). */
    static List<Probed> parse(String out) {
        List<Probed> list = new ArrayList<>();
        String name = null;
        boolean up = true;
        ServiceStatus status = null;
        boolean run = true;
        String stamp = "";
        Integer check = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith("service ") && line.length() > 10) {
                if (status != null) {
                    list.add(new Probed(status, run, stamp, Optional.ofNullable(check)));
                }
                up = line.charAt(8) == '1';
                name = line.substring(10);
                status = null;
                run = true;
                stamp = "";
                check = null;
            } else if (line.startsWith("status ") && name != null) {
                status = ServiceStatus.parse(name, up, line.substring(7));
            } else if (line.startsWith("run ")) {
                run = line.equals("run 1");
            } else if (line.startsWith("stamp ")) {
                stamp = line.substring(6).strip();
            } else if (line.startsWith("check ")) {
                try {
                    check = Integer.parseInt(line.substring(6).strip());
                } catch (NumberFormatException e) {
                    check = -1;
                }
            }
        }
        if (status != null) {
            list.add(new Probed(status, run, stamp, Optional.ofNullable(check)));
        }
        return list;
    }

    /**
     * Counts how often runit started each service (distinct start stamps and PIDs seen) and
     * whether a running service kept its PID between two looks.
     */
    static final class CrashWatch {
        private final Map<String, Set<String>> downStamps = new HashMap<>();
        private final Map<String, Set<Long>> pids = new HashMap<>();
        private final Map<String, Long> lastPid = new HashMap<>();
        private final Map<String, Boolean> stable = new HashMap<>();

        /**
         * Records one look at a service.
         *
         * @return how many times runit started it, as far as the looks so far show
         */
        int see(Probed p) {
            ServiceStatus s = p.status();
            String name = s.name();
            if (s.state() == ServiceStatus.State.RUN && s.pid().isPresent()) {
                long pid = s.pid().getAsLong();
                pids.computeIfAbsent(name, k -> new java.util.HashSet<>()).add(pid);
                Long before = lastPid.put(name, pid);
                stable.put(name, before != null && before == pid);
            } else {
                lastPid.remove(name);
                stable.put(name, false);
                if (s.normallyUp() && !p.stamp().isEmpty()
                        && (s.state() == ServiceStatus.State.DOWN || s.state() == ServiceStatus.State.FINISH)) {
                    downStamps.computeIfAbsent(name, k -> new java.util.HashSet<>()).add(p.stamp());
                }
            }
            // the first down stamp is usually the wait before the first start
            int downs = Math.max(0, downStamps.getOrDefault(name, Set.of()).size() - 1);
            return Math.max(downs, pids.getOrDefault(name, Set.of()).size());
        }

        /**
         * @return whether the service is ready: running with the same PID as in the look before,
         *         and its {@code ./check} (if any) passed
         */
        boolean ready(Probed p) {
            ServiceStatus s = p.status();
            return s.state() == ServiceStatus.State.RUN && stable.getOrDefault(s.name(), false)
                    && p.check().map(c -> c == 0).orElse(true);
        }
    }

    private ContainerLaunchException exitedEarly(MyInitCommandLine cmd) {
        Long code = null;
        String oom = "";
        try {
            InspectContainerResponse info = waitStrategyTarget.getCurrentContainerInfo();
            code = info.getState().getExitCodeLong();
            oom = outOfMemory(info.getState().getOOMKilled(),
                    info.getHostConfig() == null ? null : info.getHostConfig().getMemory());
        } catch (RuntimeException ignored) {
            // container already removed
        }
        String tail = tail();
        InitLog log;
        try {
            log = InitLog.parse(waitStrategyTarget.getLogs(OutputFrame.OutputType.STDERR), cmd.json());
        } catch (RuntimeException e) {
            log = new InitLog(List.of());
        }
        String status = "my_init exited with status " + code + oom;
        Optional<InitLog.Event> mainExited = log.mainExited();
        if (mainExited.isPresent()) {
            return new ContainerLaunchException("the main command exited on its own before start() returned: '"
                    + mainExited.get().message() + "', then " + status + ". For a container whose main command ends on its"
                    + " own, call expectingExit() before start() and read the status with awaitExit(Duration)."
                    + "\nlast log lines:\n" + tail);
        }
        Optional<InitLog.Event> script = log.scriptFailed();
        if (script.isPresent()) {
            return new ContainerLaunchException("container exited with status " + code + oom
                    + " before my_init finished booting: a startup script failed: " + script.get().message() + "\nlast log lines:\n" + tail);
        }
        Optional<InitLog.Event> failed = log.mainNotStarted().or(log::servicesNotReady);
        if (failed.isPresent()) {
            return new ContainerLaunchException("container exited with status " + code + oom
                    + " before my_init finished booting: " + failed.get().message() + "\nlast log lines:\n" + tail);
        }
        String hint = cmd.main().isEmpty() ? "" : " If the main command (" + String.join(" ", cmd.main())
                + ") ends on its own, call expectingExit() before start() and read the status with awaitExit(Duration).";
        return new ContainerLaunchException("container exited with status " + code + oom
                + " before my_init finished booting." + hint + "\nlast log lines:\n" + tail);
    }

    /**
     * Names an out-of-memory kill: Docker sets {@code State.OOMKilled} when the kernel's OOM killer
     * killed a process of the container (the init, exit status 137, or a child such as a startup
     * script's, which then fails).
     *
     * @param oomKilled   inspect's {@code State.OOMKilled}; null when Docker did not say
     * @param memoryLimit inspect's {@code HostConfig.Memory} in bytes; null or 0 when unlimited
     * @return {@code " (out of memory: ...)"} to append to the exit status, or {@code ""}
     */
    static String outOfMemory(Boolean oomKilled, Long memoryLimit) {
        if (!Boolean.TRUE.equals(oomKilled)) {
            return "";
        }
        String limit = memoryLimit == null || memoryLimit <= 0 ? "no memory limit set on the container"
                : "the container's memory limit is " + memoryLimit + " bytes (" + (memoryLimit >> 20) + " MiB)";
        return " (out of memory: the kernel's OOM killer killed a process of the container, Docker's"
                + " State.OOMKilled is true; " + limit + ")";
    }

    private void awaitExit(Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (waitStrategyTarget.isRunning() && System.nanoTime() - end < 0) {
            sleep();
        }
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
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerLaunchException("interrupted while waiting for my_init to boot", e);
        }
    }
}
