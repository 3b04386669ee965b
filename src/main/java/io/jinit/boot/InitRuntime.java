package io.jinit.boot;

import io.jinit.env.ContainerEnvironment;
import io.jinit.log.EventLog;
import io.jinit.bytes.RawPaths;
import io.jinit.process.Abort;
import io.jinit.process.AbortedException;
import io.jinit.process.Command;
import io.jinit.process.Cutoff;
import io.jinit.process.KillableCommand;
import io.jinit.process.Reaper;
import io.jinit.process.SignalRouter;
import io.jinit.process.Signal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The objects one run of the init works with, passed from phase to phase: options, log, reaper,
 * the killable-command runner, the environment store, the signal router and the abort request.
 *
 * @param config   the options
 * @param log      the event log
 * @param reaper   the one owner of {@code waitpid}
 * @param commands starts, awaits and stops children
 * @param envStore {@code /etc/container_environment} and its exports
 * @param signals  routes received signals
 * @param abort    set by SIGTERM/SIGINT
 * @param pid1     true when the init is PID 1 of its PID namespace
 */
public record InitRuntime(BootConfig config, EventLog log, Reaper reaper, KillableCommand commands,
                          ContainerEnvironment envStore, SignalRouter signals, Abort abort, boolean pid1) {

    /**
     * Runs a script to completion as my_init's {@code run_command_killable} does: an abort stops
     * it ("An error occurred. Aborting." then TERM, KILL after the timeout) and is rethrown.
     *
     * @param path the script
     * @param env  its environment
     * @return how it ended: {@link KillableCommand.Run.Finished} or {@link KillableCommand.Run.NotStarted}
     * @throws AbortedException when SIGTERM/SIGINT arrived while it ran (it has been stopped)
     */
    KillableCommand.Run runScript(Path path, Map<String, String> env) throws AbortedException, InterruptedException {
        String name = RawPaths.string(path);
        return commands.run(Command.of(List.of(name), env), name, null, Cutoff.ANY_REQUEST, Signal.TERM,
                () -> log.warn("abort", "An error occurred. Aborting."));
    }

    /**
     * Lists a directory's entries that my_init runs: regular, executable files, in byte-wise
     * order of their names, dot-files included. A missing directory has none.
     *
     * @param dir the directory
     * @return the paths to run
     * @throws IOException when the directory exists but cannot be read (EACCES, EMFILE: no descriptor left)
     */
    static List<Path> executables(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isRegularFile(p) && Files.isExecutable(p)) out.add(p);
            }
        }
        out.sort((a, b) -> Arrays.compareUnsigned(raw(a), raw(b)));
        return out;
    }

    /**
     * Lists a directory's regular files that my_init skips because they are not executable, in
     * byte-wise order of their names (for the debug line that says why). A missing directory has none.
     *
     * @param dir the directory
     * @return the paths skipped
     * @throws IOException when the directory exists but cannot be read
     */
    static List<Path> notExecutable(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isRegularFile(p) && !Files.isExecutable(p)) out.add(p);
            }
        }
        out.sort((a, b) -> Arrays.compareUnsigned(raw(a), raw(b)));
        return out;
    }

    private static byte[] raw(Path p) {
        return RawPaths.fileName(p);
    }
}
