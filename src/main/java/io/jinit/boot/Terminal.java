package io.jinit.boot;

import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;

/** The controlling terminal on fd 0, for job control ({@code docker run -it}). */
final class Terminal {
    private Terminal() {}

    /**
     * @return true if stdin is a terminal whose foreground process group is ours, so the main
     *     command may take it over ({@code tcgetpgrp(3)})
     */
    static boolean inForeground() {
        if (!Libc.isatty(0)) return false;
        try {
            return Libc.tcgetpgrp(0) == Libc.getpgrp();
        } catch (PosixException e) {
            return false;
        }
    }
}
