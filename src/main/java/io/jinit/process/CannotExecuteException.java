package io.jinit.process;

import io.jinit.posix.Errno;

/**
 * A program could not be started. Its {@link #exitStatus()} is what a shell reports for it:
 * 127 when the program was not found ({@code ENOENT}), 126 when it was found but cannot be
 * executed ({@code EACCES}, {@code ENOEXEC}, a directory...). The message is one line naming the
 * program and the reason, e.g. {@code "/no/such: No such file or directory"}; for {@code EAGAIN}
 * (no process can be created) it says which limits that can be.
 */
public final class CannotExecuteException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** What an EAGAIN from posix_spawn means (fork(2), clone(2)). */
    static final String NO_PROCESS_LEFT = " (no process can be created: the process limit, RLIMIT_NPROC or the pids cgroup, is reached)";

    /**
     * @param program the program as the user named it
     * @param reason  the errno text, or a longer reason (a missing {@code #!} interpreter)
     * @param errno   the error number
     */
    public CannotExecuteException(String program, String reason, int errno) {
        super(program + ": " + reason + (errno == Errno.EAGAIN ? NO_PROCESS_LEFT : ""));
        this.errno = errno;
    }

    /** @return 127 when the program (or its {@code #!} interpreter) was not found, else 126 */
    public int exitStatus() {
        return errno == Errno.ENOENT ? 127 : 126;
    }

    /** @return the error number that {@code posix_spawnp} or the PATH search reported */
    public int errno() {
        return errno;
    }
}
