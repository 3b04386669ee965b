package io.jinit.process;

/**
 * A program could not be started. Its {@link #exitStatus()} is what a shell reports for it:
 * 127 when the program was not found ({@code ENOENT}), 126 when it was found but cannot be
 * executed ({@code EACCES}, {@code ENOEXEC}, a directory...). The message is one line naming the
 * program and the reason, e.g. {@code "/no/such: No such file or directory"}.
 */
public final class CannotExecuteException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;
    private final int errno;

    /**
     * @param program    the program as the user named it
     * @param reason     the errno text
     * @param errno      the error number
     * @param exitStatus 127 or 126
     */
    public CannotExecuteException(String program, String reason, int errno, int exitStatus) {
        super(program + ": " + reason);
        this.exitStatus = exitStatus;
        this.errno = errno;
    }

    /** @return 127 (not found) or 126 (found, not executable) */
    public int exitStatus() {
        return exitStatus;
    }

    /** @return the error number that {@code posix_spawnp} or the PATH search reported */
    public int errno() {
        return errno;
    }
}
