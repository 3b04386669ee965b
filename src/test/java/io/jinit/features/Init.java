package io.jinit.features;

import io.jinit.it.MyInitRun;
import io.jinit.it.ProcFs;
import io.jinit.it.Sig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * The feature tests' harness: runs the real {@code my_init} binary of the runtime image
 * (system property {@code jinit.image}, else {@code target/image}) with {@code --root} set to a
 * test directory, in one of three ways, none of which lets a broken kill-all (kill(2) of -1)
 * signal a process of this machine outside the run:
 * <ul>
 *   <li>(default) not PID 1: a child of the test JVM run as the unprivileged user nobody
 *   ({@link MyInitRun#asNobody}), so kill(-1) can reach processes of nobody only;</li>
 *   <li>{@link #asPid1()}: PID 1 of a new PID namespace ({@code unshare -p -f --mount-proc});</li>
 *   <li>{@link #underShellPid1(String)}: not PID 1, as root, the child of a shell that is PID 1 of
 *   a new PID namespace.</li>
 * </ul>
 * Every run is bounded: {@link Running#await} fails the test and kills what is left when the
 * init outlives its limit.
 */
final class Init {
    /** The default bound of one run of the init (the build machine can be slow and loaded). */
    static final Duration RUN_LIMIT = Duration.ofSeconds(90);

    private final Path root;
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean pidNamespace;
    private String shellPid1;

    private Init(Path root) {
        this.root = root;
        env.put("M", root.toString());
    }

    /**
     * @param root the test's directory: passed as {@code --root}, and as {@code $M} to the scripts
     * @return a run of the init as a plain child of the test JVM (not PID 1)
     */
    static Init in(Path root) {
        return new Init(root);
    }

    /** @return the image's {@code bin/my_init} */
    static Path binary() {
        return MyInitRun.binary();
    }

    /** Runs the init as PID 1 of a new PID namespace with its own /proc. */
    Init asPid1() {
        pidNamespace = true;
        return this;
    }

    /**
     * Runs the init (as root, not PID 1) as the child of {@code sh -c script} run as PID 1 of a new
     * PID namespace with its own /proc: the script runs the init with {@code "$@"}.
     *
     * @param script the PID-1 shell's script
     * @return this
     */
    Init underShellPid1(String script) {
        shellPid1 = script;
        return this;
    }

    /** Sets a variable in the init's environment. */
    Init env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Appends the init's arguments ({@code --root} is added first by the harness). */
    Init args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    /**
     * @return the whole command line that will be run. It starts with {@code env --default-signal}
     *     (coreutils): a signal ignored by whoever started the build (nohup, a shell's {@code &})
     *     would stay ignored in the init, and the JVM cannot handle a signal that is ignored at its
     *     start (tini and dumb-init cannot receive those either)
     */
    List<String> commandLine() {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal"));
        if (pidNamespace) {
            cmd.addAll(List.of("unshare", "-p", "-f", "--mount-proc"));
        } else if (shellPid1 != null) {
            cmd.addAll(List.of("unshare", "-p", "-f", "--kill-child", "--mount-proc", "sh", "-c", shellPid1, "sh"));
        } else {
            cmd.addAll(MyInitRun.asNobody(root));
        }
        cmd.add(binary().toString());
        cmd.add("--root");
        cmd.add(root.toString());
        cmd.addAll(args);
        return cmd;
    }

    /**
     * @param prefix a command the init's command line is appended to (e.g. a pty driver), or none
     * @return a builder for the run, with the environment set: the test JVM's, without any of the
     *     init's own variables, plus this run's
     */
    ProcessBuilder processBuilder(List<String> prefix) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(commandLine());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("MY_INIT_") || k.startsWith("KILL_") || k.equals("ENV_INIT_DIRECTORY"));
        e.putAll(env);
        return pb;
    }

    /** Starts the init; stdout and stderr go to files in the root directory. */
    Running start() throws IOException {
        ProcessBuilder pb = processBuilder(List.of());
        Path out = Files.createTempFile(root, "init-", ".stdout");
        Path err = Files.createTempFile(root, "init-", ".stderr");
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        return new Running(pb.start(), pidNamespace, out, err, System.nanoTime());
    }

    /** Starts the init and waits for its end within {@link #RUN_LIMIT}. */
    Result run() throws IOException, InterruptedException {
        try (Running r = start()) {
            return r.await();
        }
    }

    /** A started init. Closing it kills whatever is left of the run. */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final boolean pidNamespace;
        private final Path stdout;
        private final Path stderr;
        private final long started;

        Running(Process process, boolean pidNamespace, Path stdout, Path stderr, long started) {
            this.process = process;
            this.pidNamespace = pidNamespace;
            this.stdout = stdout;
            this.stderr = stderr;
            this.started = started;
        }

        /**
         * @return the PID of the init (the JVM) in the test's PID namespace (not for
         *     {@link Init#underShellPid1}, whose init is a grandchild)
         */
        long initPid() throws InterruptedException {
            if (!pidNamespace) return process.pid();
            // unshare -f forks the namespace's PID 1; the launcher execs the JVM in it
            Path children = Path.of("/proc", Long.toString(process.pid()), "task", Long.toString(process.pid()), "children");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    String s = Files.readString(children).strip();
                    if (!s.isEmpty()) return Long.parseLong(s.split(" ")[0]);
                } catch (IOException e) {
                    fail("unshare (PID " + process.pid() + ") is gone: " + e);
                }
                Thread.sleep(20);
            }
            return fail("unshare has no child");
        }

        /** @return true while the init (or unshare around it) has not exited */
        boolean alive() {
            return process.isAlive();
        }

        /** Sends a signal ({@code kill -s NAME}) to the init. */
        void signal(String name) throws IOException, InterruptedException {
            Shell.kill(name, initPid());
        }

        /** @return the init's stderr so far */
        String stderr() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        /** Waits up to {@link #RUN_LIMIT} for the init's end. */
        Result await() throws InterruptedException, IOException {
            return await(RUN_LIMIT);
        }

        /** Waits for the init's end; fails the test (and kills the run) after {@code limit}. */
        Result await(Duration limit) throws InterruptedException, IOException {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                String err = stderr();
                close();
                fail("the init did not exit within " + limit + "; stderr so far:\n" + err);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8), elapsed);
        }

        @Override
        public void close() throws InterruptedException {
            if (!process.isAlive()) return;
            if (pidNamespace) {
                try {
                    // KILL to the namespace's PID 1 ends every process in the namespace
                    Shell.kill("KILL", initPid());
                } catch (IOException | AssertionError ignored) {
                    // already gone
                }
            } else {
                // the init and every descendant it left (all of them run as nobody)
                for (ProcFs.Proc p : ProcFs.descendants(process.pid())) Sig.KILL.send(p.pid());
            }
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * How a run ended.
     *
     * @param exitCode the init's exit status (unshare passes its child's status on)
     * @param stdout   everything written to stdout
     * @param stderr   everything written to stderr (the init's log)
     * @param elapsed  from start to exit, as the test saw it
     */
    record Result(int exitCode, String stdout, String stderr, Duration elapsed) {
        /** @return stderr's lines */
        List<String> stderrLines() {
            return stderr.lines().toList();
        }

        /** @return a description for assertion messages */
        String describe() {
            return "exit " + exitCode + " after " + elapsed.toMillis() + " ms\n--- stderr\n" + stderr + "--- stdout\n" + stdout;
        }
    }

    /** Small helpers for the tests' shell-side fixtures. */
    static final class Shell {
        private Shell() {}

        /** Writes an executable {@code /bin/sh} script. */
        static Path script(Path file, String body) throws IOException {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        }

        /** Sends a signal with {@code kill(1)}. */
        static void kill(String signal, long pid) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new AssertionError("kill -s " + signal + " " + pid + " failed: " + out);
        }

        /** Waits until {@code condition} holds; fails the test with {@code what} after {@code limit}. */
        static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) fail("timed out after " + limit + " waiting for " + what);
                Thread.sleep(20);
            }
        }

        /** Waits until a file exists. */
        static void awaitFile(Path file, Duration limit) throws InterruptedException {
            await(file + " to exist", limit, () -> Files.exists(file));
        }

        /** Waits until the file exists, while the init runs; fails early with its log if it ended. */
        static void awaitFile(Path file, Running init) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
            while (!Files.exists(file)) {
                if (!init.alive()) fail("the init ended before " + file + " appeared:\n" + init.stderr());
                if (System.nanoTime() > deadline) fail("timed out waiting for " + file + ":\n" + init.stderr());
                Thread.sleep(20);
            }
        }

        /** @return the file's lines, or none when it does not exist or cannot be read */
        static List<String> lines(Path file) {
            try {
                return Files.exists(file) ? Files.readAllLines(file) : List.of();
            } catch (IOException e) {
                return List.of();
            }
        }

        /** @return the state letter of a process ({@code R}, {@code S}, {@code T}, {@code Z}...), or "gone" */
        static String state(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            } catch (IOException e) {
                return "gone";
            }
        }

        /** @return true if the process exists and is not a zombie */
        static boolean running(long pid) {
            String s = state(pid);
            return !s.equals("gone") && !s.equals("Z") && !s.equals("X");
        }

        /** @return the {@code PPid:} of {@code /proc/<pid>/status} */
        static long parentOf(long pid) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("PPid:")) return Long.parseLong(line.substring(5).strip());
            }
            throw new IOException("no PPid in /proc/" + pid + "/status");
        }

        /** Reads a PID written by a fixture ({@code echo $! > file}), waiting for it. */
        static long pidFrom(Path file, Duration limit) throws InterruptedException, IOException {
            await(file + " to hold a PID", limit, () -> {
                try {
                    return Files.exists(file) && Files.readString(file).strip().matches("\\d+");
                } catch (IOException e) {
                    return false;
                }
            });
            return Long.parseLong(Files.readString(file).strip());
        }

        /** KILLs a process if it still runs (cleanup of daemons a test left alive on purpose). */
        static void killQuietly(long pid) {
            if (pid > 1 && running(pid)) {
                try {
                    kill("KILL", pid);
                } catch (IOException | InterruptedException | AssertionError ignored) {
                    // gone meanwhile
                }
            }
        }
    }
}
