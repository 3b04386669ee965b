package io.jinit.it;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the real jlink'd {@code bin/my_init} in one of three ways and captures what it did.
 *
 * <ul>
 *   <li>{@link Mode#PID1}: {@code unshare -p -f --kill-child --mount-proc my_init ...}: the
 *   init is PID 1 of a new PID namespace (its PID in the test's namespace is the child of
 *   unshare).</li>
 *   <li>{@link Mode#CHILD}: a plain child of the test JVM (no namespace), run as the
 *   unprivileged user nobody via {@code setpriv}, so that a broken kill-all (kill(-1)) can
 *   only reach processes of nobody and never the rest of this machine.</li>
 *   <li>{@link Mode#NESTED_CHILD}: inside a new PID namespace whose PID 1 is a small shell
 *   (not the init); that shell starts a sibling {@code sleep 60}, runs the init as its child,
 *   then records which processes are left in the namespace and whether the sibling lives.</li>
 *   <li>{@link #underShell(String)}: inside a new PID namespace whose PID 1 is a shell running
 *   the test's own script, which starts the init (as root) with {@code "$@"}.</li>
 * </ul>
 *
 * The init never runs outside a PID namespace made for the test except as nobody: no test can
 * signal the rest of this machine. This is the one harness of the PID-1 tests; the feature
 * tests' {@code io.jinit.features.Init} is a thin front for it.
 *
 * Every run has a hard timeout: past it the whole namespace (or every descendant) is
 * SIGKILLed and the test fails with the process tree and the output so far.
 */
public final class MyInitRun {

    /** How the init is started (see the class comment). */
    public enum Mode { PID1, CHILD, NESTED_CHILD, SHELL_PID1 }

    /** UID/GID used for {@link Mode#CHILD}. */
    public static final int NOBODY = 65534;

    /** PATH handed to the init. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final InitRoot root;
    private Mode mode = Mode.PID1;
    private final List<String> options = new ArrayList<>();
    private List<String> main;
    private List<String> rawArgs;
    private boolean rootOption = true;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Sig> ignoredAtStart = new ArrayList<>();
    private boolean cleanStart = true;
    private boolean setuidCapabilities;
    private Duration timeout = Duration.ofSeconds(30);
    private String shellScript;
    private final List<String> jvmOptions = new ArrayList<>();

    private MyInitRun(InitRoot root) {
        this.root = root;
        env.put("PATH", PATH);
        env.put("HOME", "/root");
        // small, so that a broken shutdown costs seconds, not minutes; tests set their own
        env.put("KILL_PROCESS_TIMEOUT", "3");
        env.put("KILL_ALL_PROCESSES_TIMEOUT", "3");
    }

    /**
     * @param root the fake root ({@code --root})
     * @return a builder for a PID-1 run with a 30 s timeout
     */
    public static MyInitRun in(InitRoot root) {
        return new MyInitRun(root);
    }

    /** @return the runtime image (system property jinit.image, else target/image) */
    static Path image() {
        Path p = Path.of(System.getProperty("jinit.image", "target/image")).toAbsolutePath();
        if (!Files.isExecutable(p.resolve("bin/my_init"))) {
            throw new AssertionError("no runtime image at " + p + " (run mvn package first)");
        }
        return p;
    }

    /** @return image/bin/my_init */
    public static Path binary() {
        return image().resolve("bin/my_init");
    }

    /** @return the real path of image/bin/java, the program the launcher must exec */
    static Path java() {
        try {
            return image().resolve("bin/java").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@link Mode#CHILD}: the init (user nobody) and its children keep CAP_SETUID and CAP_SETGID
     * as ambient capabilities (not CAP_KILL), so a child can become another user whom the init
     * then may not signal (kill(2) fails with EPERM).
     *
     * @return this
     */
    MyInitRun withSetuidCapabilities() { this.setuidCapabilities = true; return this; }

    /**
     * Starts the init's JVM with extra options (e.g. {@code -Djinit.test.fault=main:oom}): instead
     * of {@code bin/my_init}, the launcher's own stages on one command line, read from the image's
     * {@code bin/my_init} and {@code lib/launch/jvm} (the same blocked signals, {@code -u
     * JDK_JAVA_OPTIONS _JAVA_SR_SIGNUM=60}, {@code bin/java}, AOT option, {@code -Xrs}), with
     * {@code options} after {@code -Xrs}. The init then sees no launcher arguments.
     *
     * @param options JVM options
     * @return this
     */
    public MyInitRun jvmOptions(String... options) { jvmOptions.addAll(Arrays.asList(options)); return this; }

    /** @return the program and its JVM part: {@code bin/my_init}, or the launcher's stages with {@link #jvmOptions} */
    private List<String> program() {
        if (jvmOptions.isEmpty()) return List.of(binary().toString());
        return launcherCommand(jvmOptions);
    }

    /**
     * The launcher's three stages as one command line (see {@link #jvmOptions}), the init's
     * arguments to be appended: {@code env --block-signal env -u JDK_JAVA_OPTIONS
     * _JAVA_SR_SIGNUM=60 IMAGE/bin/java [AOT option] -Xrs OPTIONS -m MODULE/MAIN} (the stages'
     * carrier variables, {@code NAME=${...}}, are left out: the test's environment has no JVM variables).
     *
     * @param jvmOptions JVM options put right after {@code -Xrs}
     * @return the command line
     */
    public static List<String> launcherCommand(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        cmd.add(shebangTokens(binary()).stream().filter(t -> t.startsWith("--block-signal")).findFirst()
                .orElseThrow(() -> new AssertionError("no --block-signal in " + binary())));
        cmd.add("env");
        List<String> save = shebangTokens(image().resolve("lib/launch/save"));
        save.subList(0, save.size() - 1).stream().filter(t -> !t.contains("${")).forEach(cmd::add);
        for (String t : shebangTokens(image().resolve("lib/launch/jvm"))) {
            cmd.add(t);
            if (t.equals("-Xrs")) cmd.addAll(jvmOptions);
        }
        return cmd;
    }

    /** @return the tokens of a launcher stage's {@code #!/usr/bin/env -S} line after {@code -S} */
    private static List<String> shebangTokens(Path stage) {
        try {
            String line = Files.readAllLines(stage).getFirst();
            String prefix = "#!/usr/bin/env -S ";
            if (!line.startsWith(prefix)) throw new AssertionError(stage + " is no env -S launcher stage: " + line);
            return List.of(line.substring(prefix.length()).strip().split(" +"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param m the mode @return this */
    public MyInitRun mode(Mode m) { this.mode = m; return this; }

    /**
     * {@link Mode#SHELL_PID1}: runs the init (as root, not PID 1) as the child of
     * {@code sh -c script} run as PID 1 of a new PID namespace with its own /proc; the script
     * starts the init with {@code "$@"}, and its exit status is the run's.
     *
     * @param script the PID-1 shell's script
     * @return this
     */
    public MyInitRun underShell(String script) {
        this.shellScript = script;
        this.mode = Mode.SHELL_PID1;
        return this;
    }

    /** @param opts options put before {@code --} @return this */
    public MyInitRun options(String... opts) { options.addAll(Arrays.asList(opts)); return this; }

    /** @param argv the main command, put after {@code --} @return this */
    public MyInitRun main(String... argv) { this.main = List.of(argv); return this; }

    /** @param script a {@code sh -c} script as main command @return this */
    public MyInitRun mainSh(String script) { return main("sh", "-c", script); }

    /**
     * Replaces options and main command by exactly these arguments (after {@code --root}).
     *
     * @param args the arguments
     * @return this
     */
    MyInitRun rawArgs(String... args) { this.rawArgs = List.of(args); return this; }

    /** Passes the root with env MY_INIT_ROOT instead of {@code --root}. @return this */
    MyInitRun rootByEnv() { this.rootOption = false; return this; }

    /** @param name env var @param value its value, or null to remove it @return this */
    public MyInitRun env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    /**
     * Starts the init with these signals ignored (as {@code nohup} would), and with the
     * dispositions the test JVM hands to its children otherwise (the JVM's children have the
     * glibc-internal signals 32 and 33 ignored).
     *
     * @param signals the signals to ignore
     * @return this
     */
    MyInitRun ignoredAtStart(Sig... signals) {
        ignoredAtStart.addAll(Arrays.asList(signals));
        cleanStart = false;
        return this;
    }

    /** @param t the hard bound for the whole run @return this */
    public MyInitRun timeout(Duration t) { this.timeout = t; return this; }

    /** @return the init's argv (after the program) */
    List<String> initArgs() {
        List<String> a = new ArrayList<>();
        if (rootOption) {
            a.add("--root");
            a.add(root.path().toString());
        }
        if (rawArgs != null) {
            a.addAll(rawArgs);
        } else {
            a.addAll(options);
            if (main != null) {
                a.add("--");
                a.addAll(main);
            }
        }
        return a;
    }

    /**
     * Starts the init and waits for it.
     *
     * @return what happened
     */
    public Result run() {
        try (Running r = start()) {
            return r.await();
        }
    }

    /**
     * Starts the init.
     *
     * @return the running init; close it (or await it) in every case
     */
    public Running start() {
        ProcessBuilder pb = processBuilder(List.of()).directory(root.path().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new Running(pb.start(), System.nanoTime(), mode, harness(), timeout, pb.command());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private Path harness() {
        return root.path().resolveSibling(root.path().getFileName() + "-harness");
    }

    /**
     * A builder for the whole run with its environment (exactly the run's: nothing of the test
     * JVM's), for a test that drives the process itself (e.g. on a pty).
     *
     * @param prefix a command the run's {@link #command()} is appended to, or none
     * @return the builder (stdin, stdout, stderr and directory not set)
     */
    public ProcessBuilder processBuilder(List<String> prefix) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command());
        Map<String, String> e = new LinkedHashMap<>(env);
        if (!rootOption) {
            e.put("MY_INIT_ROOT", root.path().toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(e);
        return pb;
    }

    /**
     * The run's command line: the launch state (signal dispositions and mask), the mode's
     * wrapper (unshare, setpriv as nobody, or the PID-1 shell), the image's {@code bin/my_init}
     * and its arguments. Prepares the root for the mode (CHILD: chown to nobody).
     *
     * @return the command line
     */
    public List<String> command() {
        List<String> cmd = new ArrayList<>(startState());
        Path harness = harness();
        switch (mode) {
            case PID1 -> cmd.addAll(List.of("unshare", "-p", "-f", "--kill-child", "--mount-proc"));
            case CHILD -> {
                cmd.addAll(asNobody(root.path()));
                if (setuidCapabilities) {
                    // setpriv's options before its "--"
                    cmd.addAll(cmd.size() - 1, List.of("--inh-caps=+setuid,+setgid", "--ambient-caps=+setuid,+setgid"));
                }
            }
            case NESTED_CHILD -> {
                writeWrapper(harness);
                cmd.addAll(List.of("unshare", "-p", "-f", "--kill-child", "--mount-proc",
                        "/bin/sh", harness.resolve("wrapper.sh").toString(), harness.toString()));
            }
            case SHELL_PID1 -> cmd.addAll(List.of("unshare", "-p", "-f", "--kill-child", "--mount-proc",
                    "/bin/sh", "-c", shellScript, "sh"));
        }
        cmd.addAll(program());
        cmd.addAll(initArgs());
        return cmd;
    }

    /**
     * The launch state of a container's init under runc: every signal at its default, an
     * empty mask. A Java child starts with signals 32 and 33 ignored (glibc posix_spawn),
     * which glibc's sigaction cannot undo, so perl makes the raw rt_sigaction /
     * rt_sigprocmask system calls (x86_64 numbers 13, 14) and execs the rest of the command.
     */
    private List<String> startState() {
        StringBuilder ign = new StringBuilder();
        for (Sig s : ignoredAtStart) {
            ign.append(ign.isEmpty() ? "" : ",").append(s.number);
        }
        String script = """
                my %ign = map { $_ => 1 } grep { length } split /,/, shift @ARGV;
                my $clean = shift @ARGV;
                my $dfl = pack('Q4', 0, 0, 0, 0);
                my $ig = pack('Q4', 1, 0, 0, 0);
                my $empty = pack('Q', 0);
                for my $s (1 .. 64) {
                  next if $s == 9 || $s == 19;
                  if ($ign{$s}) { syscall(13, $s, $ig, 0, 8) == 0 or die "rt_sigaction $s: $!"; }
                  elsif ($clean || ($s != 32 && $s != 33)) { syscall(13, $s, $dfl, 0, 8) == 0 or die "rt_sigaction $s: $!"; }
                }
                syscall(14, 2, $empty, 0, 8) == 0 or die "rt_sigprocmask: $!";
                exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!";
                """;
        return List.of("perl", "-e", script, ign.toString(), cleanStart ? "1" : "0");
    }

    /**
     * The guard of every run of the init that is not PID 1 of a PID namespace made for the test:
     * the init runs as the unprivileged user nobody, so that a broken kill-all (kill(2) of -1)
     * can only reach processes of nobody, never the rest of this machine. Makes {@code root}
     * reachable (o+x on its parents) and owned by nobody (chown -R), so that the init and its
     * scripts can write there.
     *
     * @param root the directory the init works in (its {@code --root})
     * @return the command prefix ({@code setpriv --reuid=65534 --regid=65534 --clear-groups --})
     *     to put before the init's command line
     * @throws AssertionError if chown fails or takes more than 10 s
     */
    public static List<String> asNobody(Path root) {
        makeReachableFor(root);
        chownTree(root);
        return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--");
    }

    private static void makeReachableFor(Path dir) {
        try {
            for (Path p = dir.getParent(); p != null; p = p.getParent()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    perms.add(PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void chownTree(Path dir) {
        try {
            Process p = new ProcessBuilder("chown", "-R", NOBODY + ":" + NOBODY, dir.toString())
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("chown failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static void writeWrapper(Path harness) {
        try {
            Files.createDirectories(harness);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        // PID 1 of the namespace. Records, right after the init exited, every process left
        // in the namespace other than itself and the sibling (with read, a builtin: the
        // scan starts no process of its own).
        InitRoot.sh(harness.resolve("wrapper.sh"), """
                out=$1; shift
                sleep 60 &
                sib=$!
                echo "$sib" > "$out/sibling.pid"
                "$@"
                st=$?
                : > "$out/survivors.tmp"
                for d in /proc/[0-9]*; do
                  p=${d#/proc/}
                  [ "$p" = 1 ] && continue
                  [ "$p" = "$sib" ] && continue
                  if read -r line < "$d/stat"; then echo "$line" >> "$out/survivors.tmp"; fi
                done 2>/dev/null
                read -r line < "/proc/$sib/stat" && echo "$line" > "$out/sibling.stat"
                mv "$out/survivors.tmp" "$out/survivors"
                kill -KILL "$sib"
                exit "$st"
                """);
    }

    /** A stderr line and when it arrived (System.nanoTime). */
    public record Line(String text, long nanos) {}

    /** A started init. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final long startNanos;
        private final Mode mode;
        private final Path harness;
        private final Duration timeout;
        private final List<String> command;
        private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final List<Line> lines = new ArrayList<>();
        private final Thread outReader;
        private final Thread errReader;
        private boolean errDone;
        private final Object pidLock = new Object();
        private long initPid = -1;
        private final long launcherStartTicks;
        /** System.nanoTime of the last read from stdout or stderr. */
        private volatile long lastRead;

        Running(Process process, long startNanos, Mode mode, Path harness, Duration timeout, List<String> command) {
            this.process = process;
            this.startNanos = startNanos;
            this.mode = mode;
            this.harness = harness;
            this.timeout = timeout;
            this.command = command;
            this.launcherStartTicks = ProcFs.stat(process.pid()).map(ProcFs.Proc::startTime).orElse(0L);
            this.outReader = Thread.ofPlatform().daemon().start(() -> copy(process.getInputStream(), stdout));
            this.errReader = Thread.ofPlatform().daemon().start(this::readStderr);
        }

        private void copy(InputStream in, ByteArrayOutputStream to) {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    lastRead = System.nanoTime();
                    synchronized (to) {
                        to.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }

        private void readStderr() {
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (InputStream in = process.getErrorStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    long now = System.nanoTime();
                    lastRead = now;
                    synchronized (this) {
                        stderr.write(buf, 0, n);
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines.add(new Line(cur.toString(StandardCharsets.UTF_8), now));
                                cur.reset();
                            } else {
                                cur.write(buf[i]);
                            }
                        }
                        notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                synchronized (this) {
                    if (cur.size() > 0) {
                        lines.add(new Line(cur.toString(StandardCharsets.UTF_8), System.nanoTime()));
                    }
                    errDone = true;
                    notifyAll();
                }
            }
        }

        /** @return the PID of the launched program (unshare, or the init in CHILD mode) */
        public long launcherPid() {
            return process.pid();
        }

        /**
         * PID 1 of the run's namespace as the test sees it (the child of unshare), as soon as it
         * exists: in {@link Mode#PID1} the init, possibly before its launcher has exec'd the JVM.
         *
         * @return the PID
         * @throws AssertionError in {@link Mode#CHILD} (no namespace), or when unshare has no
         *     child within 20 s
         */
        public long namespacePid1() {
            if (mode == Mode.CHILD) {
                throw new AssertionError("a CHILD run has no PID namespace of its own");
            }
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end) {
                List<ProcFs.Proc> c = ProcFs.children(process.pid());
                if (!c.isEmpty()) {
                    return c.getFirst().pid();
                }
                if (!process.isAlive()) {
                    throw new AssertionError("unshare exited before its child was found\n" + describeNow());
                }
                sleep(10);
            }
            throw new AssertionError("unshare has no child\n" + describeNow());
        }

        /** @return the init's stderr so far, as UTF-8 */
        public synchronized String stderrSoFar() {
            return stderr.toString(StandardCharsets.UTF_8);
        }

        /**
         * The init's PID in the test's namespace: the process under the launcher whose
         * /proc/PID/exe is the image's java (the launcher script execs it).
         *
         * @return the PID
         */
        public long initPid() {
            synchronized (pidLock) {
                if (initPid <= 0) {
                    initPid = findInitPid();
                }
                return initPid;
            }
        }

        private long findInitPid() {
            Path java = java();
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < end) {
                List<ProcFs.Proc> cands = new ArrayList<>();
                ProcFs.stat(process.pid()).ifPresent(cands::add);
                cands.addAll(ProcFs.descendants(process.pid()));
                for (ProcFs.Proc p : cands) {
                    if (ProcFs.exe(p.pid()).filter(java::equals).isPresent()) {
                        return p.pid();
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError("my_init exited before its PID was found\n" + describeNow());
                }
                sleep(10);
            }
            throw new AssertionError("no process running " + java + " under " + command + "\n" + describeNow());
        }

        /**
         * Maps a PID a script saw ($$, $!) to the PID in the test's namespace.
         *
         * @param pidInInitsNamespace the PID as seen inside the init's PID namespace
         * @return the same process's PID as the test sees it
         */
        long hostPid(long pidInInitsNamespace) {
            if (mode == Mode.CHILD) {
                return pidInInitsNamespace;
            }
            long init = initPid();
            for (int i = 0; i < 50; i++) {
                for (ProcFs.Proc p : ProcFs.inNamespaceOf(init)) {
                    List<Long> ns = ProcFs.nsPids(p.pid());
                    if (!ns.isEmpty() && ns.getLast() == pidInInitsNamespace) {
                        return p.pid();
                    }
                }
                sleep(10);
            }
            throw new AssertionError("no process " + pidInInitsNamespace + " in the init's namespace\n" + describeNow());
        }

        /**
         * Sends a signal to the init.
         *
         * @param s the signal
         * @return true if sent (false: the init is gone)
         */
        boolean signal(Sig s) {
            return s.send(initPid());
        }

        /**
         * Waits for a stderr line that contains text.
         *
         * @param text the text
         * @param bound how long to wait
         * @return the line
         */
        public Line awaitStderr(String text, Duration bound) {
            return awaitStderr(l -> l.contains(text), bound, "a stderr line containing \"" + text + "\"");
        }

        /**
         * Waits for a stderr line matching a predicate; fails on timeout or when stderr ends.
         *
         * @param p the predicate
         * @param bound how long to wait
         * @param what a description for the failure message
         * @return the line
         */
        Line awaitStderr(Predicate<String> p, Duration bound, String what) {
            long end = System.nanoTime() + bound.toNanos();
            synchronized (this) {
                int seen = 0;
                while (true) {
                    for (; seen < lines.size(); seen++) {
                        if (p.test(lines.get(seen).text())) {
                            return lines.get(seen);
                        }
                    }
                    long left = end - System.nanoTime();
                    if (errDone || left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            throw new AssertionError("waited " + bound.toMillis() + " ms for " + what
                    + (errDone ? " but stderr ended" : "") + "\n" + describeNow());
        }

        /**
         * Waits for a file (written by a script) to exist and not be empty; fails otherwise.
         *
         * @param file the file
         * @param bound how long to wait
         */
        public void awaitFile(Path file, Duration bound) {
            if (!InitRoot.awaitFile(file, bound)) {
                throw new AssertionError("waited " + bound.toMillis() + " ms for " + file + "\n" + describeNow());
            }
        }

        /**
         * Waits for a descendant of the init that matches.
         *
         * @param p the predicate
         * @param bound how long to wait
         * @param what a description for the failure message
         * @return the process
         */
        ProcFs.Proc awaitDescendant(Predicate<ProcFs.Proc> p, Duration bound, String what) {
            long end = System.nanoTime() + bound.toNanos();
            long init = initPid();
            while (System.nanoTime() < end) {
                Optional<ProcFs.Proc> found = ProcFs.descendants(init).stream().filter(p).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                sleep(20);
            }
            throw new AssertionError("waited " + bound.toMillis() + " ms for a descendant: " + what + "\n" + describeNow());
        }

        /** @return true while the launched program runs */
        public boolean isAlive() {
            return process.isAlive();
        }

        /** @return the elapsed time since start */
        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        /**
         * Waits for the init to end, within the builder's timeout counted from start.
         *
         * @return the result
         * @throws AssertionError on timeout, after killing everything the run started
         */
        public Result await() {
            return await(Duration.ofNanos(timeout.toNanos() - (System.nanoTime() - startNanos)));
        }

        /**
         * Waits for the init to end, at most {@code bound} from now.
         *
         * @param bound how long to wait
         * @return the result
         * @throws AssertionError on timeout, after killing everything the run started
         */
        public Result await(Duration bound) {
            long left = bound.toNanos();
            boolean done;
            try {
                done = process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                String tree = ProcFs.tree(process.pid());
                destroy();
                throw new AssertionError("my_init did not exit within " + bound.toMillis() + " ms (killed)\n"
                        + "process tree at the timeout:\n" + tree + describeNow());
            }
            long end = System.nanoTime();
            joinReaders();
            synchronized (this) {
                return new Result(process.exitValue(), stdoutBytes(), stderr.toByteArray(),
                        List.copyOf(lines), startNanos, end, mode, harness);
            }
        }

        /**
         * Waits for the readers to reach the end of the init's stdout and stderr, at most 5 s, or
         * until they have read nothing for 1 s: the init has exited, so what it wrote is in the
         * pipes already; a daemon it left alive on purpose may hold them open for minutes.
         */
        private void joinReaders() {
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(5).toNanos();
            long idle = Duration.ofSeconds(1).toNanos();
            try {
                while ((outReader.isAlive() || errReader.isAlive()) && System.nanoTime() < end
                        && System.nanoTime() - Math.max(lastRead, start) < idle) {
                    outReader.join(20);
                    errReader.join(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private byte[] stdoutBytes() {
            synchronized (stdout) {
                return stdout.toByteArray();
            }
        }

        /** @return a description of the run so far, for failure messages */
        public synchronized String describeNow() {
            return "command: " + command + "\nalive: " + process.isAlive() + ", elapsed " + elapsed().toMillis() + " ms\n"
                    + "--- stderr ---\n" + stderr.toString(StandardCharsets.UTF_8)
                    + "--- stdout ---\n" + Result.head(stdoutBytes());
        }

        /** Kills everything the run started (idempotent). */
        public void destroy() {
            if (!process.isAlive()) {
                return;
            }
            if (mode == Mode.CHILD) {
                for (int round = 0; round < 3; round++) {
                    List<ProcFs.Proc> victims = new ArrayList<>(ProcFs.descendants(process.pid()));
                    victims.addAll(nobodyProcessesSinceStart());
                    victims.forEach(p -> Sig.KILL.send(p.pid()));
                }
            } else {
                // the child of unshare is PID 1 of the namespace: SIGKILL ends every process in it
                ProcFs.children(process.pid()).forEach(p -> Sig.KILL.send(p.pid()));
            }
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (mode == Mode.CHILD) {
                nobodyProcessesSinceStart().forEach(p -> Sig.KILL.send(p.pid()));
            }
        }

        private List<ProcFs.Proc> nobodyProcessesSinceStart() {
            return ProcFs.all().stream().filter(p -> p.startTime() >= launcherStartTicks).filter(p -> {
                try {
                    return ProcFs.status(p.pid()).getOrDefault("Uid", "").startsWith(NOBODY + "\t");
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }

        @Override
        public void close() {
            destroy();
            joinReaders();
        }
    }

    /**
     * What a finished run did.
     *
     * @param exitCode exit status of the launched program (unshare passes the init's on)
     * @param stdout raw stdout
     * @param stderr raw stderr
     * @param lines stderr lines with arrival times
     * @param startNanos System.nanoTime at start
     * @param endNanos System.nanoTime when the exit was seen
     * @param mode how it was run
     * @param harness the NESTED_CHILD report directory
     */
    public record Result(int exitCode, byte[] stdout, byte[] stderr, List<Line> lines, long startNanos, long endNanos,
                  Mode mode, Path harness) {

        /** @return stdout as UTF-8 */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** @return stderr as UTF-8 */
        public String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        /** @return the stderr lines */
        List<String> errLines() {
            return lines.stream().map(Line::text).toList();
        }

        /** @return the stderr lines that start with "*** " */
        public List<String> logLines() {
            return errLines().stream().filter(l -> l.startsWith("*** ")).toList();
        }

        /** @return wall time from start to exit */
        public Duration elapsed() {
            return Duration.ofNanos(endNanos - startNanos);
        }

        /**
         * @param p a predicate on stderr lines
         * @return the first matching line
         */
        Optional<Line> line(Predicate<String> p) {
            return lines.stream().filter(l -> p.test(l.text())).findFirst();
        }

        /**
         * @param nanos a System.nanoTime instant during the run
         * @return time from that instant to the exit
         */
        Duration since(long nanos) {
            return Duration.ofNanos(endNanos - nanos);
        }

        /** @return NESTED_CHILD: what was left in the namespace right after the init exited */
        List<ProcFs.Proc> survivors() {
            return InitRoot.lines(harness.resolve("survivors")).stream().map(ProcFs::parseStat).toList();
        }

        /** @return NESTED_CHILD: true if the report was written (the wrapper ran to the end) */
        boolean hasNestedReport() {
            return Files.exists(harness.resolve("survivors"));
        }

        /** @return NESTED_CHILD: the sibling's stat right after the init exited */
        Optional<ProcFs.Proc> sibling() {
            String s = InitRoot.read(harness.resolve("sibling.stat")).trim();
            return s.isEmpty() ? Optional.empty() : Optional.of(ProcFs.parseStat(s));
        }

        /** @return a description for assertion messages */
        public String describe() {
            return "exit " + exitCode + " after " + elapsed().toMillis() + " ms\n--- stderr ---\n" + err()
                    + "--- stdout ---\n" + head(stdout);
        }

        static String head(byte[] b) {
            String s = new String(b, StandardCharsets.UTF_8);
            return s.length() > 4000 ? s.substring(0, 4000) + "\n[... " + (s.length() - 4000) + " more chars]\n" : s;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** @return every signal-name spelling a log line may use for s, as a regex alternative */
    static String signalRegex(Sig s) {
        return "(SIG" + s.name() + "|\\b" + s.name() + "\\b|signal " + s.number + "\\b)";
    }
}
