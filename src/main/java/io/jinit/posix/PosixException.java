package io.jinit.posix;

/**
 * A libc call failed. Carries the call's name, the {@code errno} value and its text as
 * {@code strerror(3)} gives it (e.g. {@code waitpid: No child processes (errno 10)}).
 */
public final class PosixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int errno;

    /**
     * @param function the libc function that failed, e.g. {@code "kill"}
     * @param errno    the error number it reported (see {@link Errno})
     */
    public PosixException(String function, int errno) {
        super(function + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.function = function;
        this.errno = errno;
    }

    /** @return the libc function that failed, e.g. {@code "posix_spawnp"} */
    public String function() {
        return function;
    }

    /** @return the error number, e.g. {@link Errno#ECHILD} */
    public int errno() {
        return errno;
    }
}
