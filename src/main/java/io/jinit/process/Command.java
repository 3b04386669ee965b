package io.jinit.process;

import io.jinit.posix.RawStrings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A program to start: its arguments, its complete environment, and whether it leads a new
 * process group. Strings hold raw bytes as {@link RawStrings} decodes them.
 *
 * @param argv            argv[0] first (a name looked up on the environment's {@code PATH}, or a path); not empty
 * @param environment     the child's whole environment, in order
 * @param newProcessGroup true: the child leads its own process group (signals to the group reach it and its children)
 * @param foregroundTty   an fd (normally 0) whose terminal makes the child's group its foreground
 *                        process group before exec (job control); -1 for none
 * @param stdoutToDevNull true: the child's stdout goes to {@code /dev/null}
 */
public record Command(List<String> argv, SequencedMap<String, String> environment, boolean newProcessGroup,
                      int foregroundTty, boolean stdoutToDevNull) {

    /** Copies the arguments; rejects an empty argv with {@link IllegalArgumentException}. */
    public Command {
        if (argv.isEmpty()) throw new IllegalArgumentException("a command needs at least argv[0]");
        argv = List.copyOf(argv);
        environment = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(environment));
    }

    /** A command in the init's process group. */
    public static Command of(List<String> argv, Map<String, String> environment) {
        return new Command(argv, new LinkedHashMap<>(environment), false, -1, false);
    }

    /** @return the same command, leading its own process group */
    public Command inNewProcessGroup() {
        return new Command(argv, environment, true, foregroundTty, stdoutToDevNull);
    }

    /**
     * @param fd the terminal's fd (0)
     * @return the same command in its own process group, made the terminal's foreground process group
     */
    public Command inForegroundOf(int fd) {
        return new Command(argv, environment, true, fd, stdoutToDevNull);
    }

    /** @return the same command with stdout sent to {@code /dev/null} */
    public Command withStdoutDiscarded() {
        return new Command(argv, environment, newProcessGroup, foregroundTty, true);
    }

    /** @return argv[0], the name the logs use */
    public String name() {
        return argv.getFirst();
    }

    /** @return the arguments joined by spaces, as the logs show them */
    public String displayLine() {
        return String.join(" ", argv);
    }

    /** @return the environment as raw {@code NAME=VALUE} entries */
    List<byte[]> envp() {
        List<byte[]> out = new ArrayList<>(environment.size());
        environment.forEach((k, v) -> out.add(RawStrings.encode(k + "=" + v)));
        return out;
    }

    /** @return the arguments as raw bytes */
    List<byte[]> rawArgv() {
        return argv.stream().map(RawStrings::encode).toList();
    }
}
