package io.jinit.posix;

import io.jinit.bytes.RawStrings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc boundary: FFM downcalls into glibc, with {@code errno} captured at the call
 * ({@link Linker.Option#captureCallState}). The only class of jinit that touches
 * {@code java.lang.foreign}'s linker.
 *
 * <p><b>One downcall shape for everything.</b> The JDK spins a stub class (and a few dozen
 * LambdaForms) per distinct function descriptor + linker options, and none of them can come
 * from the AOT cache; a boot that used one descriptor per function spun 17 stubs and ~160
 * hidden classes (≈ 100 ms), one with two shapes spun 2. So every call goes through one
 * address-less handle, made on first use (a holder class, lazy class initialisation), with the
 * target's address as the first argument: {@code long f(long, ...)}, called with 7
 * {@code long}s, variadic after the first ({@link Linker.Option#firstVariadicArg}), errno
 * captured. It serves
 * <ul>
 *   <li>{@code syscall(2)}: every system call jinit makes (getpid, getpgid, kill, wait4, waitid,
 *       prctl, ioctl, openat, read, write, close, rt_sigprocmask, signalfd4, ppoll, madvise, execve,
 *       exit_group), with the kernel's call numbers for x86_64 or aarch64;</li>
 *   <li>the libc functions that are not plain system calls (posix_spawnp and its attribute and
 *       file-action calls, strerror, setenv, unsetenv, malloc_trim), with their (at most 6)
 *       arguments first and a seventh {@code long} 0 they never read. Under the SysV x86-64 and
 *       the Linux AAPCS64 calling conventions integer variadic arguments are passed exactly as
 *       named ones (x86-64 also sets {@code %al}, the number of vector registers used, to 0,
 *       which a non-variadic callee ignores), and arguments beyond the callee's are left unread
 *       (the 7th is on the caller-cleaned stack on x86-64, in a register on aarch64). Pointers are
 *       passed as their addresses, {@code int} and {@code short} arguments as {@code long}s (the
 *       callee reads the low bits), and an {@code int} result is the low 32 bits of the
 *       {@code long} returned.</li>
 * </ul>
 *
 * <p>Calls that fail throw {@link PosixException} with the function's name (the libc name the
 * call stands for, e.g. {@code waitpid}, {@code tcgetpgrp}) and errno. Layouts follow the glibc
 * x86_64/aarch64 ABI (glibc ≥ 2.34 for {@code posix_spawn_file_actions_addclosefrom_np}).
 */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    /** Byte offset of {@code errno} in the capture segment (read directly: no VarHandle to spin). */
    private static final long ERRNO_OFFSET = CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /** glibc {@code sigset_t}: 1024 bits ({@code signal.h}). */
    public static final MemoryLayout SIGSET_T = MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("sigset_t");
    /** glibc {@code posix_spawnattr_t}: opaque, 336 bytes, 8-aligned ({@code spawn.h}). */
    public static final MemoryLayout POSIX_SPAWNATTR_T =
            MemoryLayout.sequenceLayout(336, JAVA_BYTE).withByteAlignment(8).withName("posix_spawnattr_t");
    /** glibc {@code posix_spawn_file_actions_t}: opaque, 80 bytes, 8-aligned ({@code spawn.h}). */
    public static final MemoryLayout POSIX_SPAWN_FILE_ACTIONS_T =
            MemoryLayout.sequenceLayout(80, JAVA_BYTE).withByteAlignment(8).withName("posix_spawn_file_actions_t");
    /** {@code pid_t}. */
    public static final MemoryLayout PID_T = JAVA_INT.withName("pid_t");
    /** The wait status {@code int} that {@code waitpid(2)} fills in. */
    public static final MemoryLayout WSTATUS = JAVA_INT.withName("wstatus");
    /** The kernel's {@code struct termios} filled in by {@code ioctl(TCGETS)}: 36 bytes, rounded up ({@code asm-generic/termbits.h}). */
    private static final MemoryLayout KERNEL_TERMIOS = MemoryLayout.sequenceLayout(64, JAVA_BYTE).withByteAlignment(8).withName("termios");

    /** {@code posix_spawnattr_setflags} flags ({@code spawn.h}). */
    public static final short POSIX_SPAWN_SETPGROUP = 0x02;
    /** Reset the signals of the attribute's sigdefault set to {@code SIG_DFL} in the child. */
    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    /** Set the child's signal mask to the attribute's sigmask. */
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    /** {@code open(2)} flags ({@code fcntl.h}, x86_64/aarch64): read only. */
    public static final int O_RDONLY = 0x0;
    /** {@code open(2)}: write only. */
    public static final int O_WRONLY = 0x1;
    /** Open without blocking; for a FIFO opened for writing, fail with ENXIO when it has no reader. */
    public static final int O_NONBLOCK = 0x800;
    /** Close the fd on exec. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code waitpid} option: return at once if no child has changed state. */
    public static final int WNOHANG = 1;
    /** {@code prctl(2)} option: become a child subreaper. */
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    /** {@code prctl(2)} option: change the kernel's record of this process's memory map. */
    private static final int PR_SET_MM = 35;
    /** {@code PR_SET_MM} sub-option: set every field at once from a {@link #PRCTL_MM_MAP} ({@code CONFIG_CHECKPOINT_RESTORE}). */
    private static final int PR_SET_MM_MAP = 14;
    /** {@code struct prctl_mm_map} ({@code linux/prctl.h}): 104 bytes on 64-bit kernels. */
    public static final StructLayout PRCTL_MM_MAP = MemoryLayout.structLayout(
            JAVA_LONG.withName("start_code"), JAVA_LONG.withName("end_code"),
            JAVA_LONG.withName("start_data"), JAVA_LONG.withName("end_data"),
            JAVA_LONG.withName("start_brk"), JAVA_LONG.withName("brk"),
            JAVA_LONG.withName("start_stack"),
            JAVA_LONG.withName("arg_start"), JAVA_LONG.withName("arg_end"),
            JAVA_LONG.withName("env_start"), JAVA_LONG.withName("env_end"),
            JAVA_LONG.withName("auxv"), JAVA_INT.withName("auxv_size"), JAVA_INT.withName("exe_fd")).withName("prctl_mm_map");

    /** {@code pthread_sigmask(2)} {@code how}: add the set to the mask. */
    public static final int SIG_BLOCK = 0;
    /** {@code pthread_sigmask(2)} {@code how}: replace the mask by the set. */
    public static final int SIG_SETMASK = 2;
    /** Size of one {@code struct signalfd_siginfo} ({@code sys/signalfd.h}); {@code ssi_signo} is its first field. */
    public static final int SIGNALFD_SIGINFO_SIZE = 128;

    /** {@code openat(2)}: paths relative to the working directory. */
    private static final long AT_FDCWD = -100;
    /** {@code ioctl(2)} requests ({@code asm-generic/ioctls.h}; the same on x86_64 and aarch64). */
    private static final long TCGETS = 0x5401, TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410;
    /** The kernel's sigset size for {@code rt_sigprocmask(2)} and {@code signalfd4(2)}: 64 signals. */
    private static final long KERNEL_SIGSET_SIZE = 8;
    /** glibc's internal signals (SIGCANCEL 32, SIGSETXID 33), which {@code pthread_sigmask(3)} never blocks. */
    private static final long GLIBC_INTERNAL_SIGNALS = (1L << 31) | (1L << 32);

    /**
     * The system call numbers jinit uses, for the running architecture
     * ({@code asm/unistd_64.h} on x86_64, {@code asm-generic/unistd.h} on aarch64).
     */
    private static final class Nr {
        static final boolean X86_64 = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> true;
            case "aarch64" -> false;
            default -> throw new UnsupportedOperationException(
                    "unsupported architecture for jinit's system calls: " + System.getProperty("os.arch"));
        };
        static final long READ = X86_64 ? 0 : 63;
        static final long WRITE = X86_64 ? 1 : 64;
        static final long CLOSE = X86_64 ? 3 : 57;
        static final long RT_SIGPROCMASK = X86_64 ? 14 : 135;
        static final long IOCTL = X86_64 ? 16 : 29;
        static final long GETPID = X86_64 ? 39 : 172;
        static final long EXECVE = X86_64 ? 59 : 221;
        static final long WAIT4 = X86_64 ? 61 : 260;
        static final long KILL = X86_64 ? 62 : 129;
        static final long GETPGID = X86_64 ? 121 : 155;
        static final long PRCTL = X86_64 ? 157 : 167;
        static final long OPENAT = X86_64 ? 257 : 56;
        static final long SIGNALFD4 = X86_64 ? 289 : 74;
        static final long EXIT_GROUP = X86_64 ? 231 : 94;
        static final long WAITID = X86_64 ? 247 : 95;
        static final long BRK = X86_64 ? 12 : 214;
        static final long RT_SIGACTION = X86_64 ? 13 : 134;
        static final long MMAP = X86_64 ? 9 : 222;
        static final long MPROTECT = X86_64 ? 10 : 226;
        static final long GETUID = X86_64 ? 102 : 174;
        static final long MADVISE = X86_64 ? 28 : 233;
        static final long PPOLL = X86_64 ? 271 : 73;
    }

    // The one downcall handle: made on first use (its holder class is initialised when first
    // touched), never in Libc's own static initialiser.

    /** {@code long syscall(long, ...)}: (address, capture, 7 longs) → long. */
    private static final class Sys {
        static final MemorySegment SYSCALL = symbol("syscall");
        static final MethodHandle HANDLE = LINKER.downcallHandle(
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    /** libc symbols of {@code posix_spawnp(3)} and its attributes, looked up on first spawn. */
    private static final class Spawn {
        static final MemorySegment POSIX_SPAWNP = symbol("posix_spawnp");
        static final MemorySegment SPAWNATTR_INIT = symbol("posix_spawnattr_init");
        static final MemorySegment SPAWNATTR_DESTROY = symbol("posix_spawnattr_destroy");
        static final MemorySegment SPAWNATTR_SETFLAGS = symbol("posix_spawnattr_setflags");
        static final MemorySegment SPAWNATTR_SETPGROUP = symbol("posix_spawnattr_setpgroup");
        static final MemorySegment SPAWNATTR_SETSIGMASK = symbol("posix_spawnattr_setsigmask");
        static final MemorySegment SPAWNATTR_SETSIGDEFAULT = symbol("posix_spawnattr_setsigdefault");
    }

    /** libc symbols of {@code posix_spawn_file_actions_*(3)}: what the child's fds become. */
    private static final class FileActions {
        static final MemorySegment INIT = symbol("posix_spawn_file_actions_init");
        static final MemorySegment DESTROY = symbol("posix_spawn_file_actions_destroy");
        static final MemorySegment ADDCLOSEFROM = symbol("posix_spawn_file_actions_addclosefrom_np");
        static final MemorySegment ADDCLOSE = symbol("posix_spawn_file_actions_addclose");
        static final MemorySegment ADDOPEN = symbol("posix_spawn_file_actions_addopen");
        static final MemorySegment ADDTCSETPGRP = symbol("posix_spawn_file_actions_addtcsetpgrp_np");
    }

    /** libc symbol of {@code malloc_trim(3)}, looked up on first use. */
    private static final class Malloc {
        static final MemorySegment TRIM = symbol("malloc_trim");
    }

    /** libc symbols: strerror, setenv, unsetenv. */
    private static final class Text {
        static final MemorySegment STRERROR = symbol("strerror");
        static final MemorySegment SETENV = symbol("setenv");
        static final MemorySegment UNSETENV = symbol("unsetenv");
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
    }

    /**
     * One system call through {@code syscall(2)}.
     *
     * @param capture a segment of {@link Linker.Option#captureStateLayout()}: errno after the call
     * @return the kernel's result; -1 with errno in {@code capture} on failure
     */
    private static long sys(MemorySegment capture, long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            return (long) Sys.HANDLE.invokeExact(Sys.SYSCALL, capture, nr, a0, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A system call with a fresh capture segment, for calls whose errno is not looked at. */
    private static long sys(long nr, long a0, long a1, long a2) {
        try (Arena arena = Arena.ofConfined()) {
            return sys(arena.allocate(CAPTURE_LAYOUT), nr, a0, a1, a2, 0, 0, 0);
        }
    }

    /** One libc function call: up to 6 integer or pointer arguments, the rest 0. */
    private static long fn(MemorySegment function, MemorySegment capture, long a0, long a1, long a2, long a3, long a4, long a5) {
        try {
            // the syscall shape's handle: a0..a5 go where syscall's number and first five
            // arguments go, the seventh long (0) is an extra argument the callee never reads
            return (long) Sys.HANDLE.invokeExact(function, capture, a0, a1, a2, a3, a4, a5, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int errno(MemorySegment capture) {
        return capture.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** @return this process's PID ({@code getpid(2)}) */
    public static int getpid() {
        return (int) sys(Nr.GETPID, 0, 0, 0);
    }

    /** @return this process's process group ID ({@code getpgrp(2)}) */
    public static int getpgrp() {
        return (int) sys(Nr.GETPGID, 0, 0, 0);
    }

    /**
     * Sends a signal ({@code kill(2)}).
     *
     * @param pid    a PID, {@code -pgid} for a process group, or {@code -1} for every process we may signal
     * @param signal the signal number, 0 to probe
     * @return true if delivered, false if no such process or group (ESRCH)
     * @throws PosixException for any other error (EPERM, EINVAL)
     */
    public static boolean kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            if (sys(cs, Nr.KILL, pid, signal, 0, 0, 0, 0) == 0) return true;
            int e = errno(cs);
            if (e == Errno.ESRCH) return false;
            throw new PosixException("kill", e);
        }
    }

    /**
     * Makes this process a child subreaper: orphaned descendants are reparented to it
     * ({@code prctl(2)} {@code PR_SET_CHILD_SUBREAPER}).
     *
     * @throws PosixException EINVAL on kernels before 3.4
     */
    public static void setChildSubreaper() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            if (sys(cs, Nr.PRCTL, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0) != 0) {
                throw new PosixException("prctl(PR_SET_CHILD_SUBREAPER)", errno(cs));
            }
        }
    }

    /**
     * The kernel's record of where this process's code, data, heap, stack, arguments and
     * environment lie ({@code struct prctl_mm_map} less auxv and exe_fd; addresses in bytes, as
     * {@code proc(5)} {@code /proc/PID/stat} fields 26-28 and 45-51 show them, and the program
     * break of {@code brk(2)}).
     */
    public record MemoryMap(long startCode, long endCode, long startData, long endData, long startBrk, long brk,
                            long startStack, long argStart, long argEnd, long envStart, long envEnd) {}

    /** @return the current program break ({@code brk(2)} with 0: the kernel returns it unchanged), an address */
    public static long programBreak() {
        return sys(Nr.BRK, 0, 0, 0);
    }

    /**
     * Sets the kernel's record of this process's memory map ({@code prctl(2)} {@code PR_SET_MM},
     * {@code PR_SET_MM_MAP}; no capability needed when the executable is left as it is). jinit
     * uses it to end its argument area where its own command line ends, so that
     * {@code /proc/PID/cmdline} shows exactly that.
     *
     * @param map every field; auxv is left as it is and the executable link too
     * @throws PosixException EINVAL when a field is out of range or out of order, EPERM where a
     *     seccomp filter forbids it, EINVAL/ENOSYS on kernels without {@code CONFIG_CHECKPOINT_RESTORE}
     */
    public static void setMemoryMap(MemoryMap map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment m = arena.allocate(PRCTL_MM_MAP);
            long[] fields = {map.startCode(), map.endCode(), map.startData(), map.endData(), map.startBrk(), map.brk(),
                    map.startStack(), map.argStart(), map.argEnd(), map.envStart(), map.envEnd()};
            for (int i = 0; i < fields.length; i++) m.setAtIndex(JAVA_LONG, i, fields[i]);
            m.set(JAVA_INT, PRCTL_MM_MAP.byteOffset(MemoryLayout.PathElement.groupElement("exe_fd")), -1);
            if (sys(cs, Nr.PRCTL, PR_SET_MM, PR_SET_MM_MAP, m.address(), PRCTL_MM_MAP.byteSize(), 0, 0) != 0) {
                throw new PosixException("prctl(PR_SET_MM_MAP)", errno(cs));
            }
        }
    }

    /**
     * Writes {@code content} at the start of this process's own argument area (the strings
     * {@code execve(2)} put between {@code arg_start} and {@code arg_end}) and fills the rest of the
     * area with NUL bytes, as {@code setproctitle(3)} does. Only for the area of
     * {@link MemoryMap#argStart()}..{@link MemoryMap#argEnd()} read from {@code /proc/self/stat}.
     *
     * @param argStart the area's first byte (an address)
     * @param argEnd   one past its last byte
     * @param content  the new bytes: NUL-separated arguments ending in a NUL
     * @throws IllegalArgumentException when {@code content} is longer than the area
     */
    public static void overwriteArgumentArea(long argStart, long argEnd, byte[] content) {
        long size = argEnd - argStart;
        if (argStart <= 0 || size <= 0 || content.length > size) {
            throw new IllegalArgumentException("the argument area holds " + size + " bytes, not " + content.length);
        }
        MemorySegment area = MemorySegment.ofAddress(argStart).reinterpret(size);
        MemorySegment.copy(content, 0, area, JAVA_BYTE, 0, content.length);
        area.asSlice(content.length).fill((byte) 0);
    }

    /** {@code madvise(2)} advice: reclaim the range's pages now (Linux >= 5.4; EINVAL before). */
    public static final int MADV_PAGEOUT = 21;
    /** {@code madvise(2)} advice: pages are used in random order, so a fault reads no pages around it. */
    public static final int MADV_RANDOM = 1;

    /**
     * Advises the kernel about ranges of this process's memory ({@code madvise(2)}, once per
     * range, in the order given, with nothing allocated between the calls). With
     * {@link #MADV_PAGEOUT} the kernel reclaims each range's pages at once: clean file pages that
     * no other process maps leave the resident set (they are read again on the next access);
     * pages others map too, and anonymous pages without swap, stay.
     *
     * @param starts  start of each range, page-aligned (virtual addresses of this process)
     * @param lengths length of each range in bytes ({@code lengths.length == starts.length})
     * @param advice  e.g. {@link #MADV_PAGEOUT}
     * @return how many ranges the kernel took the advice for; the others failed with ENOMEM (not
     *     mapped any more), EINVAL (locked or special pages) or EAGAIN, and are skipped
     * @throws PosixException {@code madvise} with EINVAL when the first range fails with it:
     *     the kernel does not know the advice ({@code MADV_PAGEOUT} needs Linux 5.4)
     */
    public static int madvise(long[] starts, long[] lengths, int advice) {
        int advised = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            for (int i = 0; i < starts.length; i++) {
                if (sys(cs, Nr.MADVISE, starts[i], lengths[i], advice, 0, 0, 0) == 0) {
                    advised++;
                } else if (i == 0 && errno(cs) == Errno.EINVAL) {
                    throw new PosixException("madvise", Errno.EINVAL);
                }
            }
        }
        return advised;
    }

    /**
     * Gives the free memory at the top of glibc's heap and inside its arenas back to the kernel
     * ({@code malloc_trim(3)} with pad 0). Never fails.
     *
     * @return true when some memory was released
     */
    public static boolean mallocTrim() {
        try (Arena arena = Arena.ofConfined()) {
            return (int) fn(Malloc.TRIM, arena.allocate(CAPTURE_LAYOUT), 0, 0, 0, 0, 0, 0) != 0;
        }
    }

    /** @return true if the fd is a terminal ({@code isatty(3)}) */
    public static boolean isatty(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            // glibc's isatty(3) is tcgetattr(3), i.e. ioctl(TCGETS): it succeeds only on a terminal.
            MemorySegment termios = arena.allocate(KERNEL_TERMIOS);
            return sys(arena.allocate(CAPTURE_LAYOUT), Nr.IOCTL, fd, TCGETS, termios.address(), 0, 0, 0) == 0;
        }
    }

    /**
     * @return the foreground process group of the terminal on {@code fd} ({@code tcgetpgrp(3)})
     * @throws PosixException ENOTTY when fd is not our controlling terminal
     */
    public static int tcgetpgrp(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment pgrp = arena.allocate(PID_T);
            if (sys(cs, Nr.IOCTL, fd, TIOCGPGRP, pgrp.address(), 0, 0, 0) != 0) throw new PosixException("tcgetpgrp", errno(cs));
            return pgrp.get(JAVA_INT, 0);
        }
    }

    /**
     * Makes {@code pgid} the foreground process group of the terminal on {@code fd} ({@code tcsetpgrp(3)}).
     * The caller must ignore SIGTTOU, or it is stopped when it is not in the foreground itself.
     *
     * @throws PosixException ENOTTY, EPERM, EINVAL
     */
    public static void tcsetpgrp(int fd, int pgid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment pgrp = arena.allocate(PID_T);
            pgrp.set(JAVA_INT, 0, pgid);
            if (sys(cs, Nr.IOCTL, fd, TIOCSPGRP, pgrp.address(), 0, 0, 0) != 0) throw new PosixException("tcsetpgrp", errno(cs));
        }
    }

    /** @return the text of an error number ({@code strerror(3)}), e.g. {@code "No child processes"} */
    public static String strerror(int errno) {
        try (Arena arena = Arena.ofConfined()) {
            long s = fn(Text.STRERROR, arena.allocate(CAPTURE_LAYOUT), errno, 0, 0, 0, 0, 0);
            return s == 0 ? "errno " + errno : MemorySegment.ofAddress(s).reinterpret(Long.MAX_VALUE).getString(0);
        }
    }

    /**
     * This process's environment as raw bytes, read from libc's {@code environ} ({@code environ(7)}):
     * one {@code NAME=VALUE} entry each, in order, exactly as the kernel and libc hold them
     * (no charset decoding, so bytes that are not UTF-8 survive).
     *
     * @return the entries, without their terminating NUL
     */
    public static List<byte[]> environ() {
        MemorySegment environ = symbol("environ").reinterpret(ADDRESS.byteSize());
        MemorySegment array = environ.get(ADDRESS, 0);
        List<byte[]> out = new ArrayList<>();
        if (array.equals(MemorySegment.NULL)) return out;
        MemorySegment entries = array.reinterpret(Long.MAX_VALUE);
        for (long i = 0; ; i++) {
            MemorySegment entry = entries.getAtIndex(ADDRESS, i);
            if (entry.equals(MemorySegment.NULL)) return out;
            MemorySegment s = entry.reinterpret(Long.MAX_VALUE);
            long len = 0;
            while (s.get(JAVA_BYTE, len) != 0) len++;
            out.add(s.asSlice(0, len).toArray(JAVA_BYTE));
        }
    }

    /**
     * A reusable buffer for {@link #waitpid} and {@link #waitid}: the status word, a
     * {@code siginfo_t} and the errno capture.
     * Confined to the thread that created it.
     */
    public static final class WaitBuffer implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment status = arena.allocate(WSTATUS);
        private final MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
        private final MemorySegment siginfo = arena.allocate(SIGINFO_T);

        /** Frees the buffer. */
        @Override
        public void close() {
            arena.close();
        }
    }

    /**
     * The result of one {@code waitpid(2)} call.
     *
     * @param pid    the PID whose state changed, or 0 with {@link #WNOHANG} when none did
     * @param status the raw wait status ({@code WIFEXITED}/{@code WIFSIGNALED} encoding)
     */
    public record Waited(int pid, int status) {}

    /**
     * Waits for a child to exit ({@code waitpid(2)}), retrying on EINTR.
     *
     * @param pid     the child, or -1 for any child
     * @param options 0 to block, or {@link #WNOHANG}
     * @param buffer  a buffer created on the calling thread
     * @return the reaped child and its raw status; {@code pid == 0} when {@link #WNOHANG} found none
     * @throws PosixException ECHILD when there is no such child (at once, never a loop)
     */
    public static Waited waitpid(int pid, int options, WaitBuffer buffer) {
        // glibc's waitpid(3) is wait4(pid, &status, options, NULL).
        while (true) {
            long r = sys(buffer.capture, Nr.WAIT4, pid, buffer.status.address(), options, 0, 0, 0);
            if (r >= 0) return new Waited((int) r, r == 0 ? 0 : buffer.status.get(JAVA_INT, 0));
            int e = errno(buffer.capture);
            if (e != Errno.EINTR) throw new PosixException("waitpid", e);
        }
    }

    // ---------------------------------------------------------------- waitid (self-contained)

    /** {@code waitid(2)} {@code idtype}: any child ({@code id} is ignored). */
    public static final int P_ALL = 0;
    /** {@code waitid(2)} option: report children that have exited. */
    public static final int WEXITED = 4;
    /** {@code waitid(2)} option: leave the child waitable (a zombie): look, do not reap. */
    public static final int WNOWAIT = 0x01000000;

    /**
     * glibc's {@code siginfo_t} as {@code waitid(2)} fills it in for SIGCHLD (x86_64/aarch64):
     * 128 bytes; {@code si_signo}, {@code si_errno}, {@code si_code}, then, 8-aligned, the
     * {@code _sigchld} member of the union: {@code si_pid}, {@code si_uid}, {@code si_status}.
     */
    public static final StructLayout SIGINFO_T = MemoryLayout.structLayout(
            JAVA_INT.withName("si_signo"), JAVA_INT.withName("si_errno"), JAVA_INT.withName("si_code"),
            MemoryLayout.paddingLayout(4),
            JAVA_INT.withName("si_pid"), JAVA_INT.withName("si_uid"), JAVA_INT.withName("si_status"),
            MemoryLayout.paddingLayout(100)).withName("siginfo_t");
    private static final long SI_PID = SIGINFO_T.byteOffset(MemoryLayout.PathElement.groupElement("si_pid"));

    /**
     * Waits for a child to change state ({@code waitid(2)}), retrying on EINTR. With
     * {@link #WNOWAIT} the child stays a zombie (its PID is not freed) until a later wait reaps it.
     *
     * @param idtype  {@link #P_ALL} (any child)
     * @param id      0 for {@link #P_ALL}
     * @param options {@link #WEXITED}, optionally with {@link #WNOWAIT} and {@link #WNOHANG}
     * @param buffer  a buffer created on the calling thread
     * @return the child's PID ({@code si_pid}); 0 when {@link #WNOHANG} found none
     * @throws PosixException ECHILD when there is no such child (at once), EINVAL for bad arguments
     */
    public static int waitid(int idtype, int id, int options, WaitBuffer buffer) {
        // glibc's waitid(3) is the waitid system call with a NULL rusage.
        while (true) {
            buffer.siginfo.fill((byte) 0);
            long r = sys(buffer.capture, Nr.WAITID, idtype, id, buffer.siginfo.address(), options, 0, 0);
            if (r == 0) return buffer.siginfo.get(JAVA_INT, SI_PID);
            int e = errno(buffer.capture);
            if (e != Errno.EINTR) throw new PosixException("waitid", e);
        }
    }

    /**
     * Tells whether some process has a FIFO open for reading, by opening it for writing without
     * blocking ({@code open(2)} with {@code O_WRONLY|O_NONBLOCK}; ENXIO means no reader). This is
     * how runit's {@code sv(8)} tells whether {@code runsv} runs: {@code supervise/ok}.
     *
     * @param fifo the FIFO's path
     * @return true if the FIFO exists and has a reader
     */
    public static boolean fifoHasReader(String fifo) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            long fd = openWriteNonBlocking(arena, cs, fifo);
            if (fd < 0) return false;
            sys(cs, Nr.CLOSE, fd, 0, 0, 0, 0, 0);
            return true;
        }
    }

    /** {@code open(path, O_WRONLY|O_NONBLOCK|O_CLOEXEC)}, as glibc does it: {@code openat(AT_FDCWD, …)}. */
    private static long openWriteNonBlocking(Arena arena, MemorySegment cs, String path) {
        return sys(cs, Nr.OPENAT, AT_FDCWD, cString(arena, RawStrings.encode(path)).address(),
                O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0, 0, 0);
    }

    /**
     * Writes bytes to a FIFO if some process reads it, without ever blocking: {@code open(2)}
     * with {@code O_WRONLY|O_NONBLOCK}, one {@code write(2)}, {@code close(2)}. This is how
     * runit's {@code sv(8)} sends commands to {@code runsv} through {@code supervise/control}.
     *
     * @param fifo  the FIFO's path
     * @param bytes what to write (a few bytes: one atomic pipe write)
     * @return true if all bytes were written; false if the FIFO is missing, has no reader or is full
     */
    public static boolean writeFifo(String fifo, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            long fd = openWriteNonBlocking(arena, cs, fifo);
            if (fd < 0) return false;
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            long n = sys(cs, Nr.WRITE, fd, buf.address(), bytes.length, 0, 0, 0);
            sys(cs, Nr.CLOSE, fd, 0, 0, 0, 0, 0);
            return n == bytes.length;
        }
    }

    /**
     * What a child gets from {@link #spawn} besides a clean signal state and fds 0-2.
     *
     * @param newProcessGroup  true: the child leads a new process group ({@code POSIX_SPAWN_SETPGROUP}, pgid 0)
     * @param foregroundTty    an fd (0) whose terminal gets the child's process group as its foreground
     *                         process group before exec ({@code posix_spawn_file_actions_addtcsetpgrp_np},
     *                         glibc ≥ 2.35); -1 for none
     * @param stdinFromDevNull true: the child's stdin is {@code /dev/null} (opened read-only)
     * @param keptDescriptors  the fds the child keeps (the ones the init was started with), in
     *                         ascending order; every other fd is closed in the child
     */
    public record SpawnOptions(boolean newProcessGroup, int foregroundTty, boolean stdinFromDevNull,
                               List<Integer> keptDescriptors) {
        /** Only the standard descriptors 0, 1 and 2 are kept. */
        public static final List<Integer> STANDARD_DESCRIPTORS = List.of(0, 1, 2);
        /** Plain options: same process group, no terminal hand-over, fds 0-2 inherited. */
        public static final SpawnOptions PLAIN = new SpawnOptions(false, -1, false, STANDARD_DESCRIPTORS);

        /** @throws IllegalArgumentException when {@code keptDescriptors} is not ascending and non-negative */
        public SpawnOptions {
            keptDescriptors = List.copyOf(keptDescriptors);
            for (int i = 0; i < keptDescriptors.size(); i++) {
                if (keptDescriptors.get(i) < 0 || (i > 0 && keptDescriptors.get(i) <= keptDescriptors.get(i - 1))) {
                    throw new IllegalArgumentException("kept descriptors must be ascending and >= 0: " + keptDescriptors);
                }
            }
        }
    }

    /**
     * Starts a program with {@code posix_spawnp(3)}: looked up on the PATH of {@code envp}'s caller
     * (glibc searches the init's own PATH), with an empty signal mask, every signal at its default
     * disposition, every fd but {@link SpawnOptions#keptDescriptors} closed, and optionally a new
     * process group. No Java code runs in the child.
     *
     * @param file the program: a name searched on the init's PATH, or a path (with a {@code /}); raw bytes
     * @param argv the arguments, argv[0] first; raw bytes, no NULs
     * @param envp {@code NAME=VALUE} entries, raw bytes
     * @param options the process-group choice
     * @return the child's PID
     * @throws PosixException from {@code posix_spawnp} (it returns the error number):
     *     ENOENT program not found, EACCES not executable, ENOEXEC not an executable format
     */
    public static int spawn(byte[] file, List<byte[]> argv, List<byte[]> envp, SpawnOptions options) {
        if (argv.isEmpty()) throw new IllegalArgumentException("argv is empty");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            long attr = arena.allocate(POSIX_SPAWNATTR_T).address();
            long actions = arena.allocate(POSIX_SPAWN_FILE_ACTIONS_T).address();
            // sigemptyset(3): all bits clear; Arena.allocate zeroes the memory.
            long empty = arena.allocate(SIGSET_T).address();
            MemorySegment all = arena.allocate(SIGSET_T);
            // Every signal 1..64 at SIG_DFL, glibc's internal 32/33 included: sigfillset(3) leaves
            // those out, and an inherited SIG_IGN of them would survive exec.
            all.set(JAVA_LONG, 0, -1L);
            check("posix_spawnattr_init", fn(Spawn.SPAWNATTR_INIT, cs, attr, 0, 0, 0, 0, 0));
            try {
                check("posix_spawn_file_actions_init", fn(FileActions.INIT, cs, actions, 0, 0, 0, 0, 0));
                try {
                    short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                            | (options.newProcessGroup() ? POSIX_SPAWN_SETPGROUP : 0));
                    check("posix_spawnattr_setflags", fn(Spawn.SPAWNATTR_SETFLAGS, cs, attr, flags, 0, 0, 0, 0));
                    check("posix_spawnattr_setsigmask", fn(Spawn.SPAWNATTR_SETSIGMASK, cs, attr, empty, 0, 0, 0, 0));
                    check("posix_spawnattr_setsigdefault",
                            fn(Spawn.SPAWNATTR_SETSIGDEFAULT, cs, attr, all.address(), 0, 0, 0, 0));
                    if (options.newProcessGroup()) {
                        check("posix_spawnattr_setpgroup", fn(Spawn.SPAWNATTR_SETPGROUP, cs, attr, 0, 0, 0, 0, 0));
                    }
                    // every fd below the highest kept one that is not kept (the JVM's own, e.g.
                    // lib/modules, or a stdin that was closed when the init started), then all above it
                    List<Integer> kept = options.keptDescriptors();
                    int highest = kept.isEmpty() ? -1 : kept.getLast();
                    for (int fd = 0, k = 0; fd < highest; fd++) {
                        if (kept.get(k) == fd) {
                            k++;
                            continue;
                        }
                        check("posix_spawn_file_actions_addclose", fn(FileActions.ADDCLOSE, cs, actions, fd, 0, 0, 0, 0));
                    }
                    check("posix_spawn_file_actions_addclosefrom_np",
                            fn(FileActions.ADDCLOSEFROM, cs, actions, Math.max(highest + 1, 0), 0, 0, 0, 0));
                    if (options.foregroundTty() >= 0) {
                        check("posix_spawn_file_actions_addtcsetpgrp_np",
                                fn(FileActions.ADDTCSETPGRP, cs, actions, options.foregroundTty(), 0, 0, 0, 0));
                    }
                    if (options.stdinFromDevNull()) {
                        check("posix_spawn_file_actions_addopen", fn(FileActions.ADDOPEN, cs, actions, 0,
                                cString(arena, RawStrings.encode("/dev/null")).address(), O_RDONLY, 0, 0));
                    }
                    MemorySegment pid = arena.allocate(PID_T);
                    long path = cString(arena, file).address();
                    long argvArray = cStringArray(arena, argv).address();
                    long envArray = cStringArray(arena, envp).address();
                    int r = (int) fn(Spawn.POSIX_SPAWNP, cs, pid.address(), path, actions, attr, argvArray, envArray);
                    if (r != 0) throw new PosixException("posix_spawnp", r);
                    return pid.get(JAVA_INT, 0);
                } finally {
                    fn(FileActions.DESTROY, cs, actions, 0, 0, 0, 0, 0);
                }
            } finally {
                fn(Spawn.SPAWNATTR_DESTROY, cs, attr, 0, 0, 0, 0, 0);
            }
        }
    }

    /** posix_spawn* functions return the error number (an {@code int}: the low 32 bits of the result). */
    private static void check(String function, long result) {
        int r = (int) result;
        if (r != 0) throw new PosixException(function, r);
    }

    private static MemorySegment cString(SegmentAllocator arena, byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) throw new IllegalArgumentException("argument or environment entry contains a NUL byte");
        }
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        s.set(JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    private static MemorySegment cStringArray(SegmentAllocator arena, List<byte[]> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) array.setAtIndex(ADDRESS, i, cString(arena, strings.get(i)));
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    /**
     * Changes the calling thread's signal mask ({@code pthread_sigmask(3)}). Signals are given as
     * a bit set: bit {@code n-1} is signal {@code n} (1..64), the layout of the first word of
     * glibc's {@code sigset_t}. Threads created later by this thread inherit the mask, and
     * {@code execve(2)} keeps it.
     *
     * @param how  {@link #SIG_BLOCK} or {@link #SIG_SETMASK}
     * @param set  the signals
     * @return the previous mask, as the same kind of bit set
     */
    public static long pthreadSigmask(int how, long set) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment newSet = arena.allocate(SIGSET_T);
            MemorySegment oldSet = arena.allocate(SIGSET_T);
            // As glibc's pthread_sigmask(3): rt_sigprocmask(2) of the calling thread, never blocking
            // glibc's internal signals 32 and 33.
            newSet.set(JAVA_LONG, 0, set & ~GLIBC_INTERNAL_SIGNALS);
            long r = sys(cs, Nr.RT_SIGPROCMASK, how, newSet.address(), oldSet.address(), KERNEL_SIGSET_SIZE, 0, 0);
            if (r != 0) throw new PosixException("pthread_sigmask", errno(cs));
            return oldSet.get(JAVA_LONG, 0);
        }
    }

    /**
     * Creates a {@code signalfd(2)} (close-on-exec) that receives the given signals; they must
     * be blocked in every thread, or they are delivered the usual way instead.
     *
     * @param set the signals, bit {@code n-1} for signal {@code n}
     * @return the new file descriptor
     */
    public static int signalfd(long set) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment mask = arena.allocate(SIGSET_T);
            mask.set(JAVA_LONG, 0, set);
            // glibc's signalfd(3) is signalfd4(fd, mask, sizeof kernel sigset, flags); SFD_CLOEXEC == O_CLOEXEC.
            long fd = sys(cs, Nr.SIGNALFD4, -1, mask.address(), KERNEL_SIGSET_SIZE, O_CLOEXEC, 0, 0);
            if (fd < 0) throw new PosixException("signalfd", errno(cs));
            return (int) fd;
        }
    }

    /** The fields of a {@code struct signalfd_siginfo} ({@code signalfd(2)}) that the init looks at. */
    private static final StructLayout SIGNALFD_SIGINFO = MemoryLayout.structLayout(
            JAVA_INT.withName("ssi_signo"), JAVA_INT.withName("ssi_errno"), JAVA_INT.withName("ssi_code"),
            JAVA_INT.withName("ssi_pid"), MemoryLayout.paddingLayout(32), JAVA_LONG.withName("ssi_ptr"),
            MemoryLayout.paddingLayout(SIGNALFD_SIGINFO_SIZE - 56)).withName("signalfd_siginfo");
    private static final long SSI_SIGNO = SIGNALFD_SIGINFO.byteOffset(MemoryLayout.PathElement.groupElement("ssi_signo"));
    private static final long SSI_CODE = SIGNALFD_SIGINFO.byteOffset(MemoryLayout.PathElement.groupElement("ssi_code"));
    private static final long SSI_PID = SIGNALFD_SIGINFO.byteOffset(MemoryLayout.PathElement.groupElement("ssi_pid"));
    private static final long SSI_PTR = SIGNALFD_SIGINFO.byteOffset(MemoryLayout.PathElement.groupElement("ssi_ptr"));

    /**
     * One signal as a signalfd reports it.
     *
     * @param signo the signal number
     * @param code  {@code ssi_code}: {@code SI_USER} (0) for kill(2), {@code SI_QUEUE} (-1) for sigqueue(3),
     *              {@code SI_KERNEL} (0x80), or a signal-specific code (e.g. {@code CLD_EXITED})
     * @param pid   the sender's PID ({@code ssi_pid}; 0 when it is outside the init's PID namespace)
     * @param value the value a sigqueue(3) sent ({@code ssi_ptr})
     */
    public record SignalInfo(int signo, int code, int pid, long value) {}

    /**
     * Reads one signal from a signalfd, blocking until one is pending (retries on EINTR).
     *
     * @param fd a descriptor from {@link #signalfd}
     * @return the signal and who sent it
     * @throws PosixException from {@code read(2)}
     */
    public static SignalInfo readSignalInfo(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment info = arena.allocate(SIGNALFD_SIGINFO);
            while (true) {
                long n = sys(cs, Nr.READ, fd, info.address(), SIGNALFD_SIGINFO_SIZE, 0, 0, 0);
                if (n == SIGNALFD_SIGINFO_SIZE) {
                    return new SignalInfo(info.get(JAVA_INT, SSI_SIGNO), info.get(JAVA_INT, SSI_CODE),
                            info.get(JAVA_INT, SSI_PID), info.get(JAVA_LONG, SSI_PTR));
                }
                if (n < 0 && errno(cs) == Errno.EINTR) continue;
                throw new PosixException("read(signalfd)", n < 0 ? errno(cs) : Errno.EIO);
            }
        }
    }

    /** {@code struct pollfd} ({@code poll.h}): 8 bytes. */
    private static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents")).withName("pollfd");
    private static final long POLLFD_FD = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    private static final long POLLFD_EVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    private static final long POLLFD_REVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));
    /** {@code struct timespec} ({@code time.h}, 64-bit): seconds and nanoseconds, 16 bytes. */
    private static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec")).withName("timespec");
    private static final long TV_SEC = TIMESPEC.byteOffset(MemoryLayout.PathElement.groupElement("tv_sec"));
    private static final long TV_NSEC = TIMESPEC.byteOffset(MemoryLayout.PathElement.groupElement("tv_nsec"));
    /** {@code poll(2)} event: there is data to read. */
    private static final short POLLIN = 0x1;

    /**
     * Waits until {@code fd} has data to read or {@code timeoutNanos} has passed ({@code ppoll(2)}
     * with no signal mask change; the kernel's call on both architectures, as aarch64 has no
     * {@code poll}). A signal that interrupts the wait ends it early (EINTR): the caller looks again.
     *
     * @param fd           the descriptor, e.g. a signalfd
     * @param timeoutNanos how long to wait at most, in ns; {@link Long#MAX_VALUE} for no limit, 0 to only look
     * @return true when a read would not block (data, end of file or an error condition); false on
     *     timeout or EINTR
     * @throws PosixException from {@code ppoll(2)} (EBADF is reported in {@code revents}, not thrown)
     */
    public static boolean awaitReadable(int fd, long timeoutNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment pfd = arena.allocate(POLLFD);
            pfd.set(JAVA_INT, POLLFD_FD, fd);
            pfd.set(JAVA_SHORT, POLLFD_EVENTS, POLLIN);
            long timeout = 0;
            if (timeoutNanos != Long.MAX_VALUE) {
                MemorySegment ts = arena.allocate(TIMESPEC);
                long t = Math.max(0, timeoutNanos);
                ts.set(JAVA_LONG, TV_SEC, t / 1_000_000_000L);
                ts.set(JAVA_LONG, TV_NSEC, t % 1_000_000_000L);
                timeout = ts.address();
            }
            long n = sys(cs, Nr.PPOLL, pfd.address(), 1, timeout, 0, KERNEL_SIGSET_SIZE, 0);
            if (n < 0) {
                if (errno(cs) == Errno.EINTR) return false;
                throw new PosixException("ppoll", errno(cs));
            }
            return n > 0 && pfd.get(JAVA_SHORT, POLLFD_REVENTS) != 0;
        }
    }

    /** @return this process's real user ID ({@code getuid(2)}) */
    public static int getuid() {
        return (int) sys(Nr.GETUID, 0, 0, 0);
    }

    /**
     * Reads and/or sets a signal's disposition the kernel's way ({@code rt_sigaction(2)}, 8-byte
     * mask): {@code newAction} and {@code oldAction} point at a kernel {@code struct sigaction}
     * (x86-64: handler, flags, restorer, mask; 32 bytes).
     *
     * @param signal    the signal number
     * @param newAction the address of the new disposition, or 0 to only read it
     * @param oldAction where to store the current one, or 0
     * @throws PosixException EINVAL for a bad signal (SIGKILL, SIGSTOP)
     */
    static void rtSigaction(int signal, long newAction, long oldAction) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            if (sys(cs, Nr.RT_SIGACTION, signal, newAction, oldAction, KERNEL_SIGSET_SIZE, 0, 0) != 0) {
                throw new PosixException("rt_sigaction", errno(cs));
            }
        }
    }

    /**
     * Maps anonymous memory ({@code mmap(2)} with no file).
     *
     * @param length bytes
     * @param prot   {@code PROT_*} bits
     * @param flags  {@code MAP_*} bits
     * @return the address
     * @throws PosixException ENOMEM
     */
    static long mapAnonymous(long length, int prot, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            long addr = sys(cs, Nr.MMAP, 0, length, prot, flags, -1, 0);
            if (addr == -1) throw new PosixException("mmap", errno(cs));
            return addr;
        }
    }

    /**
     * Changes the protection of mapped memory ({@code mprotect(2)}).
     *
     * @throws PosixException EACCES (e.g. a policy forbids executable memory), EINVAL, ENOMEM
     */
    static void protect(long address, long length, int prot) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            if (sys(cs, Nr.MPROTECT, address, length, prot, 0, 0, 0) != 0) throw new PosixException("mprotect", errno(cs));
        }
    }

    /**
     * Closes a file descriptor ({@code close(2)}); an error (EBADF) is ignored.
     *
     * @param fd the descriptor
     */
    public static void close(int fd) {
        sys(Nr.CLOSE, fd, 0, 0);
    }

    /**
     * Replaces this process's program ({@code execv(3)}): same PID, the calling thread's signal
     * mask and the environment ({@code environ}) are kept; every other thread ends. Returns only
     * by throwing.
     *
     * @param path the program, raw bytes
     * @param argv the arguments, argv[0] first, raw bytes
     * @throws PosixException when the exec failed (the process goes on unchanged)
     */
    public static void execv(byte[] path, List<byte[]> argv) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            // glibc's execv(3) is execve(path, argv, environ), environ read at call time.
            long environ = symbol("environ").reinterpret(ADDRESS.byteSize()).get(JAVA_LONG, 0);
            long r = sys(cs, Nr.EXECVE, cString(arena, path).address(), cStringArray(arena, argv).address(), environ, 0, 0, 0);
            throw new PosixException("execv", r == 0 ? Errno.EPERM : errno(cs));
        }
    }

    /** Sets a variable in this process's environment ({@code setenv(3)}), overwriting it. */
    public static void setenv(String name, String value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            int r = (int) fn(Text.SETENV, cs, cString(arena, RawStrings.encode(name)).address(),
                    cString(arena, RawStrings.encode(value)).address(), 1, 0, 0, 0);
            if (r != 0) throw new PosixException("setenv", errno(cs));
        }
    }

    /** Removes a variable from this process's environment ({@code unsetenv(3)}). */
    public static void unsetenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            int r = (int) fn(Text.UNSETENV, cs, cString(arena, RawStrings.encode(name)).address(), 0, 0, 0, 0, 0);
            if (r != 0) throw new PosixException("unsetenv", errno(cs));
        }
    }

    /**
     * Ends the process at once with {@code status} ({@code _exit(2)}, i.e. {@code exit_group}): no
     * JVM shutdown, so no wait for threads blocked in native calls (HotSpot's exit waits up to
     * 300 ms for each such thread: the init's signalfd loop always is). Flush what
     * must be flushed first.
     *
     * @param status the exit status, 0-255
     */
    public static void exitNow(int status) {
        sys(Nr.EXIT_GROUP, status, 0, 0);
        throw new IllegalStateException("_exit returned");
    }
}
