package io.jinit.boot;

/**
 * What the run has decided so far about the init's exit.
 *
 * @param status  the exit status the init will exit with (0..255)
 * @param aborted true when SIGTERM/SIGINT aborted the run ("Init system aborted.", status 2)
 */
public record Outcome(int status, boolean aborted) {
    /** The status of an aborted run, as my_init has it. */
    public static final int ABORTED_STATUS = 2;

    /** @return an ordinary outcome with this status */
    public static Outcome of(int status) {
        return new Outcome(status, false);
    }

    /** @return the outcome of an abort by SIGTERM/SIGINT */
    public static Outcome abortedRun() {
        return new Outcome(ABORTED_STATUS, true);
    }
}
