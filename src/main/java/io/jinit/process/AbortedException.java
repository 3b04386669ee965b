package io.jinit.process;


/** An abort ({@link Abort}) was requested while the init waited for a child. */
public final class AbortedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Signal signal;

    /** @param signal the signal that requested the abort (TERM or INT) */
    public AbortedException(Signal signal) {
        super("aborted by " + signal.fullName());
        this.signal = signal;
    }

    /** @return the signal that requested the abort */
    public Signal signal() {
        return signal;
    }
}
