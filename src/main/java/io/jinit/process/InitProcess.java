package io.jinit.process;

import io.jinit.bytes.RawStrings;
import io.jinit.posix.FaultRelay;
import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The process the init runs in: its PID, its environment, child-subreaper mode, and the signals
 * of kill-all. What the phases need of the init's own process, so that they never call libc.
 */
public final class InitProcess {
    private InitProcess() {}

    /** The name (comm) the init's threads named after the JVM's launcher ({@code java}) get. */
    static final String JVM_THREAD_NAME = "java";
    /** How many bytes of a name the kernel keeps ({@code TASK_COMM_LEN} less the NUL). */
    private static final int COMM_BYTES = 15;
    /** How often {@link #showAs} tries again when the program break moved while it set the memory map. */
    private static final int MEMORY_MAP_TRIES = 3;

    /**
     * The fds this process was started with: every fd open now except the JVM's own (those that
     * name a file of the runtime image, {@code java.home}, e.g. {@code lib/modules}). Call it first
     * thing in {@code main}, before the init opens anything: children then get exactly these
     * ({@link Reaper#Reaper(List)}), as with phusion's my_init, and a descriptor that was closed
     * when the init started (a closed stdin the JVM's first open took) stays closed in them.
     *
     * @return the fds, ascending; {@code [0, 1, 2]} when {@code /proc/self/fd} cannot be read
     */
    public static List<Integer> inheritedDescriptors() {
        Path fds = Path.of("/proc/self/fd");
        String home = Path.of(System.getProperty("java.home", "/nonexistent")).toAbsolutePath().normalize() + "/";
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            String self = fds.toRealPath().toString();
            for (Path entry : entries) {
                int fd;
                try {
                    fd = Integer.parseInt(entry.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (IOException gone) {
                    continue; // closed meanwhile
                }
                // the listing's own descriptor, and the files of the JVM
                if (target.equals(self) || target.startsWith(home)) continue;
                out.add(fd);
            }
        } catch (IOException e) {
            return List.of(0, 1, 2);
        }
        out.sort(null);
        return List.copyOf(out);
    }

    /**
     * Makes the init look like {@code argv} from outside: {@code /proc/PID/cmdline} (what
     * {@code ps}, {@code pgrep -f}, {@code docker top} show) becomes exactly {@code argv}, NUL
     * separated, and the name ({@code /proc/PID/comm}, what {@code ps -o comm}, {@code pgrep},
     * {@code pidof}, {@code top} show) of the threads named {@code java} becomes {@code argv[0]}'s
     * last path element (at most 15 bytes). The JVM's own command line (its options, the
     * launcher's arguments) is overwritten in place, as {@code setproctitle(3)} does, and the
     * area's end is moved to the new end ({@code prctl(2) PR_SET_MM_MAP}, no capability needed).
     *
     * @param argv the command line to show, e.g. {@code /sbin/my_init --quiet -- cmd}; raw bytes
     * @return why it was done only in part (e.g. the kernel refused to move the end: then the
     *     command line is right but followed by NUL bytes), or empty when all of it was done
     */
    public static Optional<String> showAs(List<byte[]> argv) {
        if (argv.isEmpty()) return Optional.of("no command line to show");
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] arg : argv) {
            content.writeBytes(arg);
            content.write(0);
        }
        byte[] bytes = content.toByteArray();
        List<String> problems = new ArrayList<>();
        try {
            Libc.MemoryMap map = memoryMap();
            Libc.overwriteArgumentArea(map.argStart(), map.argEnd(), bytes);
            setArgumentEnd(map, map.argStart() + bytes.length);
        } catch (IOException | PosixException | IllegalArgumentException e) {
            problems.add("command line: " + e.getMessage());
        }
        byte[] first = argv.getFirst();
        int slash = -1;
        for (int i = 0; i < first.length; i++) if (first[i] == '/') slash = i;
        byte[] name = Arrays.copyOfRange(first, slash + 1, Math.min(first.length, slash + 1 + COMM_BYTES));
        try {
            renameThreads(name);
        } catch (IOException e) {
            problems.add("name: " + e.getMessage());
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    /** Sets the memory map with a new {@code arg_end}, again when the program break moved meanwhile (malloc in another thread). */
    private static void setArgumentEnd(Libc.MemoryMap read, long argEnd) {
        for (int i = 0; ; i++) {
            long brk = Libc.programBreak();
            Libc.setMemoryMap(new Libc.MemoryMap(read.startCode(), read.endCode(), read.startData(), read.endData(),
                    read.startBrk(), brk, read.startStack(), read.argStart(), argEnd, read.envStart(), read.envEnd()));
            if (Libc.programBreak() == brk || i + 1 == MEMORY_MAP_TRIES) return;
        }
    }

    /** The memory map as {@code proc(5)} {@code /proc/self/stat} shows it to the process itself. */
    private static Libc.MemoryMap memoryMap() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.ISO_8859_1);
        // fields after the command name in parentheses (which may hold blanks and parentheses)
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
        // f[0] is field 3 (state): field n is f[n - 3]
        try {
            return new Libc.MemoryMap(field(f, 26), field(f, 27), field(f, 45), field(f, 46), field(f, 47), 0,
                    field(f, 28), field(f, 48), field(f, 49), field(f, 50), field(f, 51));
        } catch (RuntimeException e) {
            throw new IOException("cannot read the memory map from /proc/self/stat: " + e.getMessage(), e);
        }
    }

    private static long field(String[] fields, int n) {
        return Long.parseUnsignedLong(fields[n - 3]);
    }

    /** Renames every thread of this process whose name is the JVM launcher's ({@code java}). */
    private static void renameThreads(byte[] name) throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                Path comm = task.resolve("comm");
                try {
                    if (Files.readString(comm, StandardCharsets.ISO_8859_1).strip().equals(JVM_THREAD_NAME)) {
                        Files.write(comm, name);
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the thread ended meanwhile
                }
            }
        }
    }

    /**
     * Keeps a SIGSEGV, SIGBUS, SIGFPE or SIGILL that someone sends with {@code kill(2)} from being
     * taken for a crash: it reaches the signalfd like any other signal ({@link FaultRelay}), while
     * a real fault still ends the init with HotSpot's report on stderr.
     *
     * @return why it could not be arranged (then such a signal still ends the init), or empty
     */
    public static Optional<String> relayFaultSignals() {
        return FaultRelay.install(Libc.getpid(), Libc.getuid());
    }

    /** Test hook: a real SIGSEGV in the init ({@link FaultRelay#faultForTest}); system property {@code jinit.test.fault=segv} only. */
    public static void faultForTest() {
        FaultRelay.faultForTest();
    }

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
        long[][] ranges = readOnlyFileMappings(proc);
        try {
            // without read-around, a page used again later brings back itself, not the 32 around it
            Libc.madvise(ranges[0], ranges[1], Libc.MADV_RANDOM);
            return Libc.madvise(ranges[0], ranges[1], Libc.MADV_PAGEOUT);
        } catch (PosixException e) {
            return 0; // EINVAL: a kernel without MADV_PAGEOUT
        }
    }

    /**
     * Turns off the kernel's read-around for the init's read-only file mappings
     * ({@code madvise(2)} {@code MADV_RANDOM}): from now on a page fault in the JVM's libraries,
     * the AOT cache or the module image reads that one page, not the pages around it. The boot
     * then keeps fewer file pages resident, which is what decides whether it fits a small
     * {@code --memory} limit (README "Performance"). Best effort.
     *
     * @param proc the proc file system's mount point ({@code /proc})
     * @return the number of mappings advised
     * @throws IOException when {@code PROC/self/maps} cannot be read
     */
    public static int noReadAround(Path proc) throws IOException {
        long[][] ranges = readOnlyFileMappings(proc);
        try {
            return Libc.madvise(ranges[0], ranges[1], Libc.MADV_RANDOM);
        } catch (PosixException e) {
            return 0;
        }
    }

    /**
     * Every read-only file mapping of this process from {@code PROC/self/maps}, the JVM's own
     * ({@code libjvm.so}, then the AOT cache) last.
     *
     * @return {starts, lengths}: two arrays of the same length, in bytes
     */
    private static long[][] readOnlyFileMappings(Path proc) throws IOException {
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
        return new long[][] {starts, lengths};
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
