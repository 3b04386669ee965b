package io.jinit.posix;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
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
 * {@code java.lang.foreign}'s linker. All method handles are immutable constants.
 *
 * <p>Calls that fail throw {@link PosixException} with the function's name and errno.
 * Layouts follow the glibc x86_64/aarch64 ABI (glibc ≥ 2.34 for
 * {@code posix_spawn_file_actions_addclosefrom_np}).
 */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

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
    /** {@code char *}: a pointer to a NUL-terminated string of any length. */
    private static final AddressLayout C_STRING = ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, JAVA_BYTE));

    /** {@code posix_spawnattr_setflags} flags ({@code spawn.h}). */
    public static final short POSIX_SPAWN_SETPGROUP = 0x02;
    /** Reset the signals of the attribute's sigdefault set to {@code SIG_DFL} in the child. */
    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    /** Set the child's signal mask to the attribute's sigmask. */
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** {@code setsid()} in the child; fails with EPERM together with {@link #POSIX_SPAWN_SETPGROUP}. */
    public static final short POSIX_SPAWN_SETSID = 0x80;

    /** {@code open(2)} flags ({@code fcntl.h}, x86_64/aarch64): read only. */
    public static final int O_RDONLY = 0x0;
    /** {@code open(2)}: write only. */
    public static final int O_WRONLY = 0x1;
    /** Open without blocking; for a FIFO opened for writing, fail with ENXIO when it has no reader. */
    public static final int O_NONBLOCK = 0x800;
    /** Close the fd on exec. */
    public static final int O_CLOEXEC = 0x80000;
    /** {@code errno} of a non-blocking write-open of a FIFO that no process reads. */
    public static final int ENXIO = 6;

    /** {@code waitpid} option: return at once if no child has changed state. */
    public static final int WNOHANG = 1;
    /** {@code prctl(2)} option: become a child subreaper. */
    public static final int PR_SET_CHILD_SUBREAPER = 36;



    // Downcall handles are made on first use, one holder class per group (class
    // initialisation is lazy), so a boot only pays for the handles it calls.

    /** Handles: getpid, getppid, getpgrp, kill, setpgid, waitpid. */
    private static final class Basic {
        static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(JAVA_INT), false);
        static final MethodHandle GETPPID = handle("getppid", FunctionDescriptor.of(JAVA_INT), false);
        static final MethodHandle GETPGRP = handle("getpgrp", FunctionDescriptor.of(JAVA_INT), false);
        static final MethodHandle KILL = handle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
        static final MethodHandle SETPGID = handle("setpgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
        static final MethodHandle WAITPID =
            handle("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    /** Handles: prctl. */
    private static final class Prctl {
        static final MethodHandle PRCTL = LINKER.downcallHandle(symbol("prctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /** Handles: isatty, tcgetpgrp, tcsetpgrp. */
    private static final class Tty {
        static final MethodHandle TCGETPGRP = handle("tcgetpgrp", FunctionDescriptor.of(JAVA_INT, JAVA_INT), true);
        static final MethodHandle TCSETPGRP = handle("tcsetpgrp", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
        static final MethodHandle ISATTY = handle("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    }

    /** Handles: strerror. */
    private static final class Text {
        static final MethodHandle STRERROR = handle("strerror", FunctionDescriptor.of(C_STRING, JAVA_INT), false);
    }

    /** Handles: posix_spawnp and its attribute and file-action calls. */
    private static final class Spawn {
        static final MethodHandle SIGEMPTYSET = handle("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
        static final MethodHandle SPAWNATTR_INIT = handle("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
        static final MethodHandle SPAWNATTR_DESTROY = handle("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
        static final MethodHandle SPAWNATTR_SETFLAGS =
            handle("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT), false);
        static final MethodHandle SPAWNATTR_SETPGROUP =
            handle("posix_spawnattr_setpgroup", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
        static final MethodHandle SPAWNATTR_SETSIGMASK =
            handle("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
        static final MethodHandle SPAWNATTR_SETSIGDEFAULT =
            handle("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
        static final MethodHandle FILE_ACTIONS_INIT =
            handle("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
        static final MethodHandle FILE_ACTIONS_DESTROY =
            handle("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
        static final MethodHandle FILE_ACTIONS_ADDCLOSEFROM =
            handle("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
        static final MethodHandle FILE_ACTIONS_ADDOPEN = handle("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), false);
        static final MethodHandle FILE_ACTIONS_ADDTCSETPGRP =
            handle("posix_spawn_file_actions_addtcsetpgrp_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
        static final MethodHandle POSIX_SPAWNP = handle("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS), false);
    }

    /** Handles: open, write, close. */
    private static final class Files {
        static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
        static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true);
        static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    }

    /** {@code pthread_sigmask(2)} {@code how}: add the set to the mask. */
    public static final int SIG_BLOCK = 0;
    /** {@code pthread_sigmask(2)} {@code how}: replace the mask by the set. */
    public static final int SIG_SETMASK = 2;
    /** Size of one {@code struct signalfd_siginfo} ({@code sys/signalfd.h}); {@code ssi_signo} is its first field. */
    public static final int SIGNALFD_SIGINFO_SIZE = 128;
    private static final MethodHandle PTHREAD_SIGMASK =
            handle("pthread_sigmask", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), false);
    private static final MethodHandle SIGNALFD = handle("signalfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true);
    private static final MethodHandle EXECV = handle("execv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), true);
    private static final MethodHandle SETENV = handle("setenv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), true);
    private static final MethodHandle UNSETENV = handle("unsetenv", FunctionDescriptor.of(JAVA_INT, ADDRESS), true);

    private static MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd, boolean errno) {
        return errno ? LINKER.downcallHandle(symbol(name), fd, CAPTURE_ERRNO) : LINKER.downcallHandle(symbol(name), fd);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** @return this process's PID ({@code getpid(2)}) */
    public static int getpid() {
        try {
            return (int) Basic.GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the parent's PID ({@code getppid(2)}); 0 when the parent is outside our PID namespace */
    public static int getppid() {
        try {
            return (int) Basic.GETPPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return this process's process group ID ({@code getpgrp(2)}) */
    public static int getpgrp() {
        try {
            return (int) Basic.GETPGRP.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
            int r = (int) Basic.KILL.invokeExact(cs, pid, signal);
            if (r == 0) return true;
            int e = errno(cs);
            if (e == Errno.ESRCH) return false;
            throw new PosixException("kill", e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Moves a process into a process group ({@code setpgid(2)}).
     *
     * @throws PosixException EACCES, EINVAL, EPERM, ESRCH
     */
    public static void setpgid(int pid, int pgid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            if ((int) Basic.SETPGID.invokeExact(cs, pid, pgid) != 0) throw new PosixException("setpgid", errno(cs));
        } catch (Throwable t) {
            throw rethrow(t);
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
            int r = (int) Prctl.PRCTL.invokeExact(cs, PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
            if (r != 0) throw new PosixException("prctl(PR_SET_CHILD_SUBREAPER)", errno(cs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return true if the fd is a terminal ({@code isatty(3)}) */
    public static boolean isatty(int fd) {
        try {
            return (int) Tty.ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * @return the foreground process group of the terminal on {@code fd} ({@code tcgetpgrp(3)})
     * @throws PosixException ENOTTY when fd is not our controlling terminal
     */
    public static int tcgetpgrp(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            int r = (int) Tty.TCGETPGRP.invokeExact(cs, fd);
            if (r < 0) throw new PosixException("tcgetpgrp", errno(cs));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
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
            if ((int) Tty.TCSETPGRP.invokeExact(cs, fd, pgid) != 0) throw new PosixException("tcsetpgrp", errno(cs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the text of an error number ({@code strerror(3)}), e.g. {@code "No child processes"} */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Text.STRERROR.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : s.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
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
        try {
            while (true) {
                int r = (int) Basic.WAITPID.invokeExact(buffer.capture, pid, buffer.status, options);
                if (r >= 0) return new Waited(r, r == 0 ? 0 : buffer.status.get(JAVA_INT, 0));
                int e = errno(buffer.capture);
                if (e != Errno.EINTR) throw new PosixException("waitpid", e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- waitid (self-contained)

    /** {@code waitid(2)} {@code idtype}: any child ({@code id} is ignored). */
    public static final int P_ALL = 0;
    /** {@code waitid(2)} {@code idtype}: the child whose PID is {@code id}. */
    public static final int P_PID = 1;
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
    private static final long SI_CODE = SIGINFO_T.byteOffset(MemoryLayout.PathElement.groupElement("si_code"));
    private static final long SI_STATUS = SIGINFO_T.byteOffset(MemoryLayout.PathElement.groupElement("si_status"));

    /** {@code si_code} of an exited child ({@code CLD_EXITED}); killed: 2, dumped: 3. */
    public static final int CLD_EXITED = 1;

    /** Handles: waitid. */
    private static final class Waitid {
        static final MethodHandle WAITID = handle("waitid",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    /**
     * The child {@code waitid(2)} reported.
     *
     * @param pid    its PID; 0 when {@code WNOHANG} found none
     * @param code   {@code si_code}: {@link #CLD_EXITED}, 2 ({@code CLD_KILLED}), 3 ({@code CLD_DUMPED})
     * @param status {@code si_status}: the exit status, or the signal number
     */
    public record WaitidInfo(int pid, int code, int status) {}

    /**
     * Waits for a child to change state ({@code waitid(2)}), retrying on EINTR. With
     * {@link #WNOWAIT} the child stays a zombie (its PID is not freed) until a later wait reaps it.
     *
     * @param idtype  {@link #P_ALL} or {@link #P_PID}
     * @param id      the PID for {@link #P_PID}, else 0
     * @param options {@link #WEXITED}, optionally with {@link #WNOWAIT} and {@link #WNOHANG}
     * @param buffer  a buffer created on the calling thread
     * @return the child; {@code pid == 0} when {@link #WNOHANG} found none
     * @throws PosixException ECHILD when there is no such child (at once), EINVAL for bad arguments
     */
    public static WaitidInfo waitid(int idtype, int id, int options, WaitBuffer buffer) {
        try {
            while (true) {
                buffer.siginfo.fill((byte) 0);
                int r = (int) Waitid.WAITID.invokeExact(buffer.capture, idtype, id, buffer.siginfo, options);
                if (r == 0) {
                    return new WaitidInfo(buffer.siginfo.get(JAVA_INT, SI_PID), buffer.siginfo.get(JAVA_INT, SI_CODE),
                            buffer.siginfo.get(JAVA_INT, SI_STATUS));
                }
                int e = errno(buffer.capture);
                if (e != Errno.EINTR) throw new PosixException("waitid", e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
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
            int fd = (int) Files.OPEN.invokeExact(cs, cString(arena, RawStrings.encode(fifo)), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) return false;
            int ignored = (int) Files.CLOSE.invokeExact(fd);
            return true;
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
            int fd = (int) Files.OPEN.invokeExact(cs, cString(arena, RawStrings.encode(fifo)), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) return false;
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            long n = (long) Files.WRITE.invokeExact(cs, fd, buf, (long) bytes.length);
            int ignored = (int) Files.CLOSE.invokeExact(fd);
            return n == bytes.length;
        } catch (Throwable t) {
            throw rethrow(t);
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
     */
    public record SpawnOptions(boolean newProcessGroup, int foregroundTty, boolean stdinFromDevNull) {
        /** Plain options: same process group, no terminal hand-over, stdout inherited. */
        public static final SpawnOptions PLAIN = new SpawnOptions(false, -1, false);
    }

    /**
     * Starts a program with {@code posix_spawnp(3)}: looked up on the PATH of {@code envp}'s caller
     * (glibc searches the init's own PATH), with an empty signal mask, every signal at its default
     * disposition, every fd ≥ 3 closed, and optionally a new process group. No Java code runs in the child.
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
            MemorySegment attr = arena.allocate(POSIX_SPAWNATTR_T);
            MemorySegment actions = arena.allocate(POSIX_SPAWN_FILE_ACTIONS_T);
            MemorySegment empty = arena.allocate(SIGSET_T);
            MemorySegment all = arena.allocate(SIGSET_T);
            check("sigemptyset", (int) Spawn.SIGEMPTYSET.invokeExact(empty), true);
            // Every signal 1..64 at SIG_DFL, glibc's internal 32/33 included: sigfillset(3) leaves
            // those out, and an inherited SIG_IGN of them would survive exec.
            all.set(JAVA_LONG, 0, -1L);
            check("posix_spawnattr_init", (int) Spawn.SPAWNATTR_INIT.invokeExact(attr), false);
            try {
                check("posix_spawn_file_actions_init", (int) Spawn.FILE_ACTIONS_INIT.invokeExact(actions), false);
                try {
                    short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                            | (options.newProcessGroup() ? POSIX_SPAWN_SETPGROUP : 0));
                    check("posix_spawnattr_setflags", (int) Spawn.SPAWNATTR_SETFLAGS.invokeExact(attr, flags), false);
                    check("posix_spawnattr_setsigmask", (int) Spawn.SPAWNATTR_SETSIGMASK.invokeExact(attr, empty), false);
                    check("posix_spawnattr_setsigdefault", (int) Spawn.SPAWNATTR_SETSIGDEFAULT.invokeExact(attr, all), false);
                    if (options.newProcessGroup()) {
                        check("posix_spawnattr_setpgroup", (int) Spawn.SPAWNATTR_SETPGROUP.invokeExact(attr, 0), false);
                    }
                    check("posix_spawn_file_actions_addclosefrom_np",
                            (int) Spawn.FILE_ACTIONS_ADDCLOSEFROM.invokeExact(actions, 3), false);
                    if (options.foregroundTty() >= 0) {
                        check("posix_spawn_file_actions_addtcsetpgrp_np",
                                (int) Spawn.FILE_ACTIONS_ADDTCSETPGRP.invokeExact(actions, options.foregroundTty()), false);
                    }
                    if (options.stdinFromDevNull()) {
                        check("posix_spawn_file_actions_addopen", (int) Spawn.FILE_ACTIONS_ADDOPEN.invokeExact(
                                actions, 0, cString(arena, RawStrings.encode("/dev/null")), O_RDONLY, 0), false);
                    }
                    MemorySegment pid = arena.allocate(PID_T);
                    MemorySegment path = cString(arena, file);
                    MemorySegment argvArray = cStringArray(arena, argv);
                    MemorySegment envArray = cStringArray(arena, envp);
                    int r = (int) Spawn.POSIX_SPAWNP.invokeExact(pid, path, actions, attr, argvArray, envArray);
                    if (r != 0) throw new PosixException("posix_spawnp", r);
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) Spawn.FILE_ACTIONS_DESTROY.invokeExact(actions);
                }
            } finally {
                int ignored = (int) Spawn.SPAWNATTR_DESTROY.invokeExact(attr);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** posix_spawn* functions return the error number; sig*set return -1. */
    private static void check(String function, int result, boolean minusOne) {
        if (result != 0) throw new PosixException(function, minusOne ? Errno.EPERM : result);
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
            MemorySegment newSet = arena.allocate(SIGSET_T);
            MemorySegment oldSet = arena.allocate(SIGSET_T);
            newSet.set(JAVA_LONG, 0, set);
            int r = (int) PTHREAD_SIGMASK.invokeExact(how, newSet, oldSet);
            if (r != 0) throw new PosixException("pthread_sigmask", r);
            return oldSet.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
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
            int fd = (int) SIGNALFD.invokeExact(cs, -1, mask, O_CLOEXEC);
            if (fd < 0) throw new PosixException("signalfd", errno(cs));
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Reads one signal from a signalfd, blocking until one is pending (retries on EINTR).
     *
     * @param fd a descriptor from {@link #signalfd}
     * @return the signal number ({@code ssi_signo})
     */
    public static int readSignal(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment info = arena.allocate(SIGNALFD_SIGINFO_SIZE, 8);
            while (true) {
                long n = (long) READ.invokeExact(cs, fd, info, (long) SIGNALFD_SIGINFO_SIZE);
                if (n == SIGNALFD_SIGINFO_SIZE) return info.get(JAVA_INT, 0);
                if (n < 0 && errno(cs) == Errno.EINTR) continue;
                throw new PosixException("read(signalfd)", n < 0 ? errno(cs) : Errno.EIO);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
            int r = (int) EXECV.invokeExact(cs, cString(arena, path), cStringArray(arena, argv));
            throw new PosixException("execv", r == 0 ? Errno.EPERM : errno(cs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets a variable in this process's environment ({@code setenv(3)}), overwriting it. */
    public static void setenv(String name, String value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            int r = (int) SETENV.invokeExact(cs, cString(arena, RawStrings.encode(name)), cString(arena, RawStrings.encode(value)), 1);
            if (r != 0) throw new PosixException("setenv", errno(cs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Removes a variable from this process's environment ({@code unsetenv(3)}). */
    public static void unsetenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE_LAYOUT);
            int r = (int) UNSETENV.invokeExact(cs, cString(arena, RawStrings.encode(name)));
            if (r != 0) throw new PosixException("unsetenv", errno(cs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Handles: _exit (declared as {@code int(int)}, the shape isatty already uses, so no new stub is spun). */
    private static final class Exit {
        static final MethodHandle EXIT = handle("_exit", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    }

    /**
     * Ends the process at once with {@code status} ({@code _exit(2)}): no JVM shutdown, so no wait
     * for threads blocked in native calls (HotSpot's exit waits up to 300 ms for each such
     * thread: the signalfd reader and the reaper always are). Flush what must be flushed first.
     *
     * @param status the exit status, 0-255
     */
    public static void exitNow(int status) {
        try {
            int ignored = (int) Exit.EXIT.invokeExact(status);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        throw new IllegalStateException("_exit returned");
    }
}
