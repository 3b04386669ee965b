package io.jinit.process;

import io.jinit.bytes.RawStrings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A program to start: its arguments, its complete environment, and its place in job control.
 * Strings hold raw bytes as {@link RawStrings} decodes them.
 *
 * <p>Every child leads its own process group, so that a terminal's INT, QUIT and TSTP
 * (which go to the terminal's foreground process group) reach only the command made the
 * foreground ({@link #inForegroundOf}, the main command) or else the init, never runsvdir, a
 * startup script or a hook. A child that does not keep the terminal gets {@code /dev/null} as
 * stdin when the init's stdin is a terminal: reading it from a background process group would
 * stop the child (SIGTTIN) and hang the boot.
 *
 * @param argv          argv[0] first (a name looked up on the environment's {@code PATH}, or a path); not empty
 * @param environment   the child's whole environment, in order
 * @param foregroundTty an fd (normally 0) whose terminal makes the child's group its foreground
 *                      process group before exec (job control); -1 for none
 * @param keepsTerminal true: the child gets the init's stdin even when it is a terminal (the main command)
 */
public record Command(List<String> argv, SequencedMap<String, String> environment, int foregroundTty,
                      boolean keepsTerminal) {

    /** Copies the arguments; rejects an empty argv with {@link IllegalArgumentException}. */
    public Command {
        if (argv.isEmpty()) throw new IllegalArgumentException("a command needs at least argv[0]");
        argv = List.copyOf(argv);
        environment = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(environment));
    }

    /** A command in a process group of its own, in the background of any terminal. */
    public static Command of(List<String> argv, Map<String, String> environment) {
        return new Command(argv, new LinkedHashMap<>(environment), -1, false);
    }

    /** @return the same command, keeping the init's stdin (a terminal too) though not made the foreground */
    public Command keepingTerminal() {
        return new Command(argv, environment, foregroundTty, true);
    }

    /**
     * @param fd the terminal's fd (0)
     * @return the same command, made the terminal's foreground process group, stdin kept
     */
    public Command inForegroundOf(int fd) {
        return new Command(argv, environment, fd, true);
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
