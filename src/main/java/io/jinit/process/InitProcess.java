package io.jinit.process;

import io.jinit.bytes.RawStrings;
import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;

import java.io.IOException;
import java.nio.file.Files;
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
     * Gives memory the init no longer needs after its boot back to the kernel, so that the init
     * is not the largest process of a memory-limited container (the OOM killer ranks processes
     * by resident anonymous + file pages, README "Performance"): glibc's free heap
     * ({@code malloc_trim(3)}), then {@code madvise(2)} {@code MADV_PAGEOUT} on every read-only
     * file mapping of this process (the JVM's libraries, the AOT cache's read-only part, the
     * module image): clean pages that no other process maps leave the resident set and are read
     * again, from the page cache or the disk, only when used. Anonymous pages stay (no swap).
     * The JVM's own mappings go last ({@code libjvm.so}, then the AOT cache), since the calls
     * before run in them; every mapping is first marked {@code MADV_RANDOM}, so that a page the
     * init uses again later is read back alone, without the read-around of a normal fault. Best effort: on a kernel older than 5.4 nothing is paged out.
     *
     * @param proc the proc file system's mount point ({@code /proc})
     * @return the number of mappings paged out
     * @throws IOException when {@code PROC/self/maps} cannot be read
     */
    public static int releaseMemory(Path proc) throws IOException {
        Libc.mallocTrim();
        // {start, length} of each read-only file mapping: the JVM's own (libjvm.so, then the
        // AOT cache) last, since the calls before run in them
        List<long[]> others = new ArrayList<>(), aot = new ArrayList<>(), jvm = new ArrayList<>();
        for (String line : Files.readAllLines(proc.resolve("self/maps"))) {
            // START-END PERMS OFFSET DEV INODE PATH; a file mapping's path starts with '/'
            String[] f = line.split(" +", 6);
            if (f.length < 6 || !f[5].startsWith("/") || f[1].indexOf('w') >= 0) continue;
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0], 0, dash, 16);
            long end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
            (f[5].endsWith("/libjvm.so") ? jvm : f[5].endsWith(".aot") ? aot : others).add(new long[] {start, end - start});
        }
        others.addAll(aot);
        others.addAll(jvm);
        long[] starts = new long[others.size()];
        long[] lengths = new long[others.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = others.get(i)[0];
            lengths[i] = others.get(i)[1];
        }
        try {
            // without read-around, a page used again later brings back itself, not the 32 around it
            Libc.madvise(starts, lengths, Libc.MADV_RANDOM);
            return Libc.madvise(starts, lengths, Libc.MADV_PAGEOUT);
        } catch (PosixException e) {
            return 0; // EINVAL: a kernel without MADV_PAGEOUT
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
