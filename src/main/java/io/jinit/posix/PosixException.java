package io.jinit.posix;

/**
 * A libc call failed. Its message names the call and gives the {@code errno} value and its
 * text as {@code strerror(3)} gives it (e.g. {@code waitpid: No child processes (errno 10)});
 * {@link #errno()} gives the number.
 */
public final class PosixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param function the libc function that failed, e.g. {@code "kill"}
     * @param errno    the error number it reported (see {@link Errno})
     */
    public PosixException(String function, int errno) {
        super(function + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** @return the error number, e.g. {@link Errno#ECHILD} */
    public int errno() {
        return errno;
    }
}
