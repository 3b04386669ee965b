package io.jinit.posix;

/** The Linux {@code errno} values jinit looks at ({@code errno(3)}, x86_64 and aarch64 alike). */
public final class Errno {
    private Errno() {}

    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Input/output error (also: a short read where a whole record was due). */
    public static final int EIO = 5;
    /** Exec format error (a file without {@code #!} that is not an ELF binary). */
    public static final int ENOEXEC = 8;
    /** Resource temporarily unavailable; from fork/clone/posix_spawn: no process can be created (RLIMIT_NPROC, the pids cgroup, threads-max). */
    public static final int EAGAIN = 11;
    /** No child processes. */
    public static final int ECHILD = 10;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Not a typewriter: the fd is not a terminal. */
    public static final int ENOTTY = 25;
}
