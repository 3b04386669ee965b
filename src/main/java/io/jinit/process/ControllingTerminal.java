package io.jinit.process;

import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;

/** The controlling terminal on fd 0, for job control ({@code docker run -it}). */
public final class ControllingTerminal {
    private ControllingTerminal() {}

    /**
     * @return true if stdin is a terminal whose foreground process group is ours, so the main
     *     command may take it over ({@code tcgetpgrp(3)})
     */
    public static boolean inForeground() {
        if (!Libc.isatty(0)) return false;
        try {
            return Libc.tcgetpgrp(0) == Libc.getpgrp();
        } catch (PosixException e) {
            return false;
        }
    }

    /**
     * Makes the init's process group the terminal's foreground again ({@code tcsetpgrp(3)}) after
     * the main command that had it has exited, so that a Ctrl-C during the shutdown reaches the
     * init. TTOU, which {@code tcsetpgrp} from a background group raises, is blocked in the init.
     * Does nothing when stdin is not a terminal or the call fails (e.g. the terminal is gone).
     */
    public static void takeBack() {
        if (!Libc.isatty(0)) return;
        try {
            Libc.tcsetpgrp(0, Libc.getpgrp());
        } catch (PosixException e) {
            // the terminal hung up, or is not ours: nobody to give it to
        }
    }
}
