package io.jinit.process;


/**
 * How a child ended, decoded from the raw {@code waitpid(2)} status word
 * ({@code WIFEXITED}/{@code WEXITSTATUS}, {@code WIFSIGNALED}/{@code WTERMSIG}).
 */
public sealed interface WaitStatus {

    /** The child called {@code exit(code)}; {@code code} is 0..255. */
    record Exited(int code) implements WaitStatus {
        @Override
        public int exitStatus() {
            return code;
        }

        @Override
        public String describe() {
            return "status " + code;
        }
    }

    /** The child was killed by {@code signal} (1..64), with a core dump or not. */
    record Signaled(int signal, boolean coreDumped) implements WaitStatus {
        @Override
        public int exitStatus() {
            return 128 + signal;
        }

        @Override
        public String describe() {
            return "signal " + Signal.describe(signal);
        }
    }

    /** @return the status a shell would report: the exit code, or 128 + the signal number */
    int exitStatus();

    /** @return for log lines: {@code "status 3"} or {@code "signal SIGKILL (9)"} */
    String describe();

    /** @return true for an exit with code 0 */
    default boolean success() {
        return this instanceof Exited(int code) && code == 0;
    }

    /**
     * Decodes a raw wait status as glibc's {@code <sys/wait.h>} macros do.
     *
     * @param raw the status word filled in by {@code waitpid(2)} for a terminated child
     * @return the decoded status
     * @throws IllegalArgumentException for a stopped/continued status (we never ask for those)
     */
    static WaitStatus decode(int raw) {
        int termsig = raw & 0x7f;
        if (termsig == 0) return new Exited((raw >> 8) & 0xff);
        if (termsig != 0x7f) return new Signaled(termsig, (raw & 0x80) != 0);
        throw new IllegalArgumentException("not a termination status: 0x" + Integer.toHexString(raw));
    }
}
