package io.jinit.features;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * The feature tests' front for the one PID-1 test harness, {@link MyInitRun}: runs the real
 * {@code my_init} binary of the runtime image (system property {@code jinit.image}, else
 * {@code target/image}) with {@code --root} set to a test directory, in one of three ways, none of
 * which lets a broken kill-all (kill(2) of -1) signal a process of this machine outside the run:
 * <ul>
 *   <li>(default) not PID 1: a child of the test JVM run as the unprivileged user nobody
 *   ({@link MyInitRun.Mode#CHILD}), so kill(-1) can reach processes of nobody only;</li>
 *   <li>{@link #asPid1()}: PID 1 of a new PID namespace ({@code unshare -p -f --mount-proc});</li>
 *   <li>{@link #underShellPid1(String)}: not PID 1, as root, the child of a shell that is PID 1 of
 *   a new PID namespace.</li>
 * </ul>
 * The init's environment is the test JVM's without any of the init's own variables
 * ({@code MY_INIT_*}, {@code KILL_*}, {@code ENV_INIT_DIRECTORY}), plus {@code M} (the root) and
 * what the test sets. Every run is bounded: {@link Running#await} fails the test and kills what is
 * left when the init outlives its limit.
 */
final class Init {
    /** The default bound of one run of the init (the build machine can be slow and loaded). */
    static final Duration RUN_LIMIT = Duration.ofSeconds(90);

    private final MyInitRun run;
    private boolean pidNamespace;

    private Init(Path root) {
        run = MyInitRun.in(InitRoot.existing(root)).mode(MyInitRun.Mode.CHILD).timeout(RUN_LIMIT);
        run.env("KILL_PROCESS_TIMEOUT", null).env("KILL_ALL_PROCESSES_TIMEOUT", null);
        System.getenv().forEach((k, v) -> {
            if (!(k.startsWith("MY_INIT_") || k.startsWith("KILL_") || k.equals("ENV_INIT_DIRECTORY"))) run.env(k, v);
        });
        run.env("M", root.toString());
    }

    /**
     * @param root the test's directory: passed as {@code --root}, and as {@code $M} to the scripts
     * @return a run of the init that is not PID 1 (as nobody, a child of the test JVM)
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
        run.mode(MyInitRun.Mode.PID1);
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
        run.underShell(script);
        return this;
    }

    /** Starts the init's JVM with extra options, e.g. an injected fault ({@link MyInitRun#jvmOptions}). */
    Init jvmOptions(String... options) {
        run.jvmOptions(options);
        return this;
    }

    /** Sets a variable in the init's environment. */
    Init env(String name, String value) {
        run.env(name, value);
        return this;
    }

    /** Appends the init's arguments ({@code --root} is added first by the harness). */
    Init args(String... more) {
        run.options(more);
        return this;
    }

    /**
     * @return the whole command line that will be run ({@link MyInitRun#command()}): it starts
     *     every signal at its default (a signal ignored by whoever started the build, nohup or a
     *     shell's {@code &}, would stay ignored in the init, and the JVM cannot handle a signal that
     *     is ignored at its start), then the mode's guard
     */
    List<String> commandLine() {
        return run.command();
    }

    /**
     * @param prefix a command the init's command line is appended to (e.g. a pty driver), or none
     * @return a builder for the run, with the run's environment set
     */
    ProcessBuilder processBuilder(List<String> prefix) {
        return run.processBuilder(prefix);
    }

    /** Starts the init; stdin is /dev/null. */
    Running start() {
        return new Running(run.start(), pidNamespace);
    }

    /** Starts the init and waits for its end within {@link #RUN_LIMIT}. */
    Result run() {
        try (Running r = start()) {
            return r.await();
        }
    }

    /** A started init. Closing it kills whatever is left of the run. */
    static final class Running implements AutoCloseable {
        private final MyInitRun.Running run;
        private final boolean pidNamespace;

        Running(MyInitRun.Running run, boolean pidNamespace) {
            this.run = run;
            this.pidNamespace = pidNamespace;
        }

        /**
         * @return the PID of the init in the test's PID namespace (as PID 1: as soon as unshare has
         *     forked it, possibly before the launcher has exec'd the JVM)
         */
        long initPid() {
            return pidNamespace ? run.namespacePid1() : run.initPid();
        }

        /** @return true while the init (or unshare around it) has not exited */
        boolean alive() {
            return run.isAlive();
        }

        /** Sends a signal ({@code kill -s NAME}) to the init. */
        void signal(String name) throws IOException, InterruptedException {
            Shell.kill(name, initPid());
        }

        /** @return the init's stderr so far */
        String stderr() {
            return run.stderrSoFar();
        }

        /** Waits up to {@link #RUN_LIMIT} (from the start) for the init's end. */
        Result await() {
            return Result.of(run.await());
        }

        /** Waits for the init's end; fails the test (and kills the run) after {@code limit}. */
        Result await(Duration limit) {
            return Result.of(run.await(limit));
        }

        @Override
        public void close() {
            run.close();
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
        static Result of(MyInitRun.Result r) {
            return new Result(r.exitCode(), r.out(), r.err(), r.elapsed());
        }

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
