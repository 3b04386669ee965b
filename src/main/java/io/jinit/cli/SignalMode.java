package io.jinit.cli;

import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;
import io.jinit.posix.RawStrings;
import io.jinit.process.Abort;
import io.jinit.process.SignalFd;
import io.jinit.process.SignalRouter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --signal-mode=handlers|signalfd} (env {@code MY_INIT_SIGNAL_MODE}). In signalfd mode the
 * first JVM blocks {@link SignalFd#SIGNALS} in its main thread and re-executes itself
 * ({@code execv} of {@code /proc/self/exe}, same PID) with {@code -Xrs}, so that the signals stay
 * blocked in every thread of the second JVM, which reads them from a signalfd. Costs a second
 * JVM start. HotSpot's suspend/resume signal (USR2, used by JFR's sampler) is moved to
 * {@link #SR_SIGNUM} with {@code _JAVA_SR_SIGNUM} so that USR2 can be received too; the variable
 * is removed again before any child starts.
 */
final class SignalMode {
    /** System property set on the re-executed JVM's command line. */
    static final String REEXEC_PROPERTY = "jinit.signalfd";
    /** System property telling the re-executed JVM that {@code _JAVA_SR_SIGNUM} was set by us. */
    static final String SR_PROPERTY = "jinit.srsignum";
    /** The real-time signal HotSpot's suspend/resume moves to (must be above SIGSEGV and below 65). */
    static final String SR_SIGNUM = "60";
    private static final String SR_VARIABLE = "_JAVA_SR_SIGNUM";

    private SignalMode() {}

    /**
     * Looks for the mode before the options are parsed (the signals must be set up first):
     * {@code --signal-mode=X} or {@code --signal-mode X} before {@code --}, else
     * {@code MY_INIT_SIGNAL_MODE}. Bad values are reported later by the option parser.
     *
     * @return true when signalfd mode is asked for
     */
    static boolean requested(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) break;
            if (args[i].startsWith("--signal-mode=")) return args[i].substring(14).strip().equals("signalfd");
            if (args[i].equals("--signal-mode") && i + 1 < args.length) return args[i + 1].strip().equals("signalfd");
        }
        String e = env.get("MY_INIT_SIGNAL_MODE");
        return e != null && e.strip().equals("signalfd");
    }

    /** @return true in the re-executed JVM of signalfd mode */
    static boolean reexecuted() {
        return "1".equals(System.getProperty(REEXEC_PROPERTY));
    }

    /**
     * Blocks the signals and re-executes the JVM. Returns only when it could not (the mask is
     * then restored and handler mode goes on).
     *
     * @param abort the abort request: when SIGTERM/SIGINT already arrived, no re-exec
     * @return why the re-exec did not happen
     */
    static String reexec(Abort abort) {
        List<byte[]> argv = new ArrayList<>();
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            int start = 0;
            for (int i = 0; i < cmdline.length; i++) {
                if (cmdline[i] == 0) {
                    byte[] arg = new byte[i - start];
                    System.arraycopy(cmdline, start, arg, 0, arg.length);
                    argv.add(arg);
                    start = i + 1;
                }
            }
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
        long old = Libc.pthreadSigmask(Libc.SIG_BLOCK, SignalFd.mask());
        try {
            if (abort.isRequested()) return "aborted by " + abort.signal().orElseThrow().fullName();
            if (setSr) Libc.setenv(SR_VARIABLE, SR_SIGNUM);
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
     * In the re-executed JVM: removes {@code _JAVA_SR_SIGNUM} if we set it, checks that every
     * thread blocks the signals, and starts reading the signalfd.
     *
     * @return null when signalfd mode runs, else the reason it cannot (the init must not go on:
     *     with {@code -Xrs} it has no handler for TERM)
     */
    static String adopt(SignalRouter router) {
        if ("1".equals(System.getProperty(SR_PROPERTY))) Libc.unsetenv(SR_VARIABLE);
        try {
            List<String> bad = SignalFd.threadsNotBlocking();
            if (!bad.isEmpty()) return "signals not blocked in every thread: " + String.join("; ", bad);
            SignalFd.start(router);
            return null;
        } catch (IOException | PosixException e) {
            return e.getMessage();
        }
    }
}
