package io.jinit.cli;

import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;
import io.jinit.bytes.RawStrings;
import io.jinit.process.Abort;
import io.jinit.process.SignalFd;
import io.jinit.process.SignalRouter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How the init receives its signals: always from a {@code signalfd(2)} ({@link SignalFd}, the
 * one loop), in a JVM that started with every signal blocked in its first thread and {@code -Xrs}
 * (so HotSpot installs no handler for the signals the init reads and unblocks only its own: ILL,
 * BUS, FPE, SEGV and its suspend/resume signal). The launcher ({@code bin/my_init}) starts the JVM
 * that way, so a signal sent at any instant after the container's exec waits, blocked, until the
 * init reads it. A JVM started otherwise ({@code java -m io.jinit/...}) re-executes itself once
 * that way ({@link #reexec}).
 *
 * <p>HotSpot's suspend/resume signal (USR2 by default) must not be one of ours: the launcher sets
 * {@code _JAVA_SR_SIGNUM} to {@link LauncherArguments#SR_SIGNUM}; the re-execution does the same
 * and says so with {@link #SR_PROPERTY}. Either way the variable is taken out of (or given back
 * to) the environment the children get.
 */
final class SignalMode {
    /** System property set on the re-executed JVM's command line. */
    static final String REEXEC_PROPERTY = "jinit.signalfd";
    /** System property telling the re-executed JVM that {@code _JAVA_SR_SIGNUM} was set by us. */
    static final String SR_PROPERTY = "jinit.srsignum";
    private static final String SR_VARIABLE = "_JAVA_SR_SIGNUM";
    /** Every signal 1..64, as the launcher's {@code env --block-signal} (glibc leaves its own 32 and 33 out). */
    private static final long ALL_SIGNALS = -1L;

    private SignalMode() {}

    /** @return true in a JVM that {@link #reexec} started */
    static boolean reexecuted() {
        return "1".equals(System.getProperty(REEXEC_PROPERTY));
    }

    /**
     * Blocks every signal, as the launcher does, and re-executes the JVM ({@code execv} of {@code /proc/self/exe}, same
     * PID) with {@code -Xrs}. Returns only when it could not; the mask is then restored and the
     * caller gives up (exit 1): without the signalfd the init could not receive TERM.
     *
     * @return why the re-exec did not happen
     */
    static String reexec() {
        List<byte[]> argv;
        try {
            argv = RawArguments.commandLine();
        } catch (IOException e) {
            return "cannot read /proc/self/cmdline: " + e.getMessage();
        }
        if (argv.isEmpty()) return "empty /proc/self/cmdline";
        boolean setSr = System.getenv(SR_VARIABLE) == null;
        List<byte[]> next = new ArrayList<>();
        next.add(argv.getFirst());
        next.add(RawStrings.encode("-Xrs"));
        next.add(RawStrings.encode("-D" + REEXEC_PROPERTY + "=1"));
        if (setSr) next.add(RawStrings.encode("-D" + SR_PROPERTY + "=1"));
        next.addAll(argv.subList(1, argv.size()));
        long old = Libc.pthreadSigmask(Libc.SIG_BLOCK, ALL_SIGNALS);
        try {
            if (setSr) Libc.setenv(SR_VARIABLE, LauncherArguments.SR_SIGNUM);
            Libc.execv(RawStrings.encode("/proc/self/exe"), next);
            return "execv returned";
        } catch (PosixException e) {
            return e.getMessage();
        } finally {
            // only reached when the exec failed
            if (setSr) Libc.unsetenv(SR_VARIABLE);
            Libc.pthreadSigmask(Libc.SIG_SETMASK, old);
        }
    }

    /**
     * Checks that every thread blocks the signals the init reads ({@link SignalFd#mask()}) and
     * opens the loop that reads them, run by the calling thread whenever it waits
     * ({@link Abort#runLoopWhileWaiting}).
     *
     * @param abort  the init's one wait, which the calling thread runs the loop in
     * @param errors receives one line for each failure in the loop
     * @return null when the signals are read from now on, else why not (then nothing was opened)
     */
    static String adopt(SignalRouter router, Abort abort, Consumer<String> errors) {
        try {
            List<String> bad = SignalFd.threadsNotBlocking();
            if (!bad.isEmpty()) return "signals not blocked in every thread: " + String.join("; ", bad);
            abort.runLoopWhileWaiting(SignalFd.open(router, errors));
            return null;
        } catch (IOException | PosixException e) {
            return e.getMessage();
        }
    }

    /**
     * In a re-executed JVM: takes out of the children's environment the {@code _JAVA_SR_SIGNUM}
     * that {@link #reexec} set.
     *
     * @param environment the init's environment; changed in place
     */
    static void restore(Map<String, String> environment) {
        if ("1".equals(System.getProperty(SR_PROPERTY))) environment.remove(SR_VARIABLE);
    }
}
