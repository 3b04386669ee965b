package io.jinit.process;

import io.jinit.bytes.RawStrings;
import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * The process the init runs in: its PID, its environment, child-subreaper mode, and the signals
 * of kill-all. What the phases need of the init's own process, so that they never call libc.
 */
public final class InitProcess {
    private InitProcess() {}

    /** @return this process's PID ({@code getpid(2)}); 1 when the init is PID 1 of its namespace */
    public static int pid() {
        return Libc.getpid();
    }

    /**
     * Makes this process a child subreaper ({@code prctl(2)} {@code PR_SET_CHILD_SUBREAPER}):
     * orphaned descendants are reparented to it, so the reaper reaps them and kill-all finds them.
     *
     * @throws IOException with the errno text when the kernel refuses (EINVAL before Linux 3.4)
     */
    public static void becomeChildSubreaper() throws IOException {
        try {
            Libc.setChildSubreaper();
        } catch (PosixException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * This process's environment, read from libc's {@code environ(7)}, bytes kept
     * ({@link RawStrings}): name → value in the kernel's order; an entry without {@code =} is left
     * out, and of a name given twice the first wins.
     *
     * @return a new, mutable map
     */
    public static SequencedMap<String, String> environment() {
        SequencedMap<String, String> env = new LinkedHashMap<>();
        for (byte[] entry : Libc.environ()) {
            String s = RawStrings.decode(entry);
            int eq = s.indexOf('=');
            if (eq > 0) env.putIfAbsent(s.substring(0, eq), s.substring(eq + 1));
        }
        return env;
    }

    /**
     * Sends {@code signal} to every process this process may signal but itself ({@code kill(2)}
     * with PID -1): when the init is PID 1 of its namespace, every other process in it.
     *
     * @throws IOException with the errno text when the kernel refuses
     */
    public static void signalEveryProcess(Signal signal) throws IOException {
        try {
            Libc.kill(-1, signal.number());
        } catch (PosixException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * A descendant that did not take a signal.
     *
     * @param pid    its PID
     * @param reason the errno text (e.g. EPERM: it runs as another user)
     */
    public record Refusal(int pid, String reason) {}

    /**
     * Sends {@code signal} to every descendant of this process ({@code kill(2)} each one, as
     * {@code /proc} lists them at the call), going on past the ones that refuse it.
     *
     * @param proc the {@code /proc} to read ({@link ProcessTable#read})
     * @return the descendants that refused the signal (empty when all took it or had already gone)
     * @throws IOException when {@code proc} cannot be read
     */
    public static List<Refusal> signalDescendants(Path proc, Signal signal) throws IOException {
        List<Refusal> refused = new ArrayList<>();
        for (int pid : ProcessTable.read(proc).descendantsOf(pid())) {
            try {
                Libc.kill(pid, signal.number());
            } catch (PosixException e) {
                refused.add(new Refusal(pid, e.getMessage()));
            }
        }
        return refused;
    }
}
