package io.jinit.features;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.jinit.features.Init.Shell;

/** Shell fixtures shared by the feature tests: main commands that record what reaches them. */
final class Fixtures {
    /** The signals the init forwards that a shell can trap without being stopped. */
    static final List<String> FORWARDED = List.of("HUP", "QUIT", "USR1", "USR2", "WINCH", "ALRM", "CONT");
    /** How long a test waits for something that should happen "at once". */
    static final Duration SOON = Duration.ofSeconds(30);

    private Fixtures() {}

    /**
     * KILLs the daemon whose PID a fixture wrote to {@code root/daemon.pid}, if it still runs and is
     * this test's: its environment holds {@code M=root} (as PID 1 of a namespace the PID in the file
     * is the namespace's, not ours; that daemon ends with the namespace anyway).
     */
    static void killDaemon(Path root) {
        for (String line : Shell.lines(root.resolve("daemon.pid"))) {
            if (!line.strip().matches("\\d+")) continue;
            long pid = Long.parseLong(line.strip());
            try {
                byte[] env = java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
                if (("\0" + new String(env, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("\0M=" + root + "\0")) {
                    Shell.killQuietly(pid);
                }
            } catch (IOException gone) {
                // not running
            }
        }
    }

    /**
     * A shell fragment: starts a daemon in its own session (kill-all must find it: it is no
     * longer in the main command's group) that touches {@code daemon.term} when TERMed and exits
     * 0, and waits until its trap is set ({@code daemon.ready}); its PID is in {@code daemon.pid}
     * ({@link #killDaemon}: a test that fails before the kill-all leaves no daemon behind).
     */
    static final String TERM_RECORDING_DAEMON = """
            setsid sh -c 'echo $$ > $M/daemon.pid; trap "touch $M/daemon.term; exit 0" TERM; touch $M/daemon.ready; while :; do sleep 0.1; done' </dev/null >/dev/null 2>&1 &
            while [ ! -e $M/daemon.ready ]; do sleep 0.05; done
            """;

    /**
     * Writes {@code main.sh} under {@code root}: it traps each of {@code signals} (appending the
     * name to {@code main.got}), starts a child shell in the same process group that does the same
     * (through {@code env --default-signal}: sh starts background jobs with INT and QUIT ignored,
     * and an ignored signal cannot be trapped)
     * into {@code child.got}, touches {@code main.ready} once both trap, then loops until
     * {@code stop} exists and exits 7. The traps run within ~0.1 s of a delivery.
     *
     * @return the main command, for after {@code --}
     */
    static List<String> trappingMain(Path root, List<String> signals) throws IOException {
        String names = String.join(" ", signals);
        Shell.script(root.resolve("main.sh"), """
                for s in %1$s; do trap "echo $s >> $M/main.got" $s; done
                echo $$ > $M/main.pid
                env --default-signal sh -c 'for s in %1$s; do trap "echo $s >> $M/child.got" $s; done
                       echo $$ > $M/child.pid
                       touch $M/child.ready
                       while [ ! -f $M/stop ]; do sleep 0.1; done' &
                while [ ! -f $M/child.ready ]; do sleep 0.05; done
                touch $M/main.ready
                while [ ! -f $M/stop ]; do sleep 0.1; done
                wait
                exit 7
                """.formatted(names));
        return List.of("sh", root.resolve("main.sh").toString());
    }

    /** Waits until {@code file} holds a line {@code line}; on timeout the failure shows the init's log. */
    static void awaitLine(Init.Running init, Path file, String line) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (!Shell.lines(file).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + SOON + " waiting for " + file.getFileName() + " to hold "
                        + line + " (it holds " + Shell.lines(file) + "); the init's stderr:\n" + init.stderr());
            }
            Thread.sleep(20);
        }
    }

    /** @return the args with a {@code --} and the command appended */
    static String[] withMain(List<String> main, String... args) {
        String[] out = new String[args.length + 1 + main.size()];
        System.arraycopy(args, 0, out, 0, args.length);
        out[args.length] = "--";
        for (int i = 0; i < main.size(); i++) out[args.length + 1 + i] = main.get(i);
        return out;
    }
}
