package io.jinit.process;

import java.util.Locale;
import java.util.Optional;

/** Linux signal numbers ({@code signal(7)}, x86_64/aarch64 numbering). */
public enum Signal {
    HUP(1), INT(2), QUIT(3), ILL(4), TRAP(5), ABRT(6), BUS(7), FPE(8), KILL(9), USR1(10),
    SEGV(11), USR2(12), PIPE(13), ALRM(14), TERM(15), STKFLT(16), CHLD(17), CONT(18), STOP(19),
    TSTP(20), TTIN(21), TTOU(22), URG(23), XCPU(24), XFSZ(25), VTALRM(26), PROF(27), WINCH(28),
    IO(29), PWR(30), SYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** @return the signal number, 1..31 */
    public int number() {
        return number;
    }

    /** @return the conventional name with the prefix, e.g. {@code SIGTERM} */
    public String fullName() {
        return "SIG" + name();
    }

    /**
     * @param number a signal number
     * @return the signal with that number, or empty for 0, real-time signals and unknown numbers
     */
    public static Optional<Signal> ofNumber(int number) {
        for (Signal s : values()) {
            if (s.number == number) return Optional.of(s);
        }
        return Optional.empty();
    }

    /**
     * Parses a signal given as a name ({@code TERM}, {@code SIGTERM}, any case) or a number ({@code 15}).
     *
     * @param text the signal as a user wrote it
     * @return the signal
     * @throws IllegalArgumentException naming the text when it is no known signal
     */
    public static Signal parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        if (t.startsWith("SIG")) t = t.substring(3);
        if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) { // ASCII digits only, as every number of the init
            try {
                int n = Integer.parseInt(t);
                return ofNumber(n).orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a signal number (1-31)"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a signal number (1-31)");
            }
        }
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a signal name (e.g. TERM, SIGHUP, 15)");
        }
    }

    /**
     * @param number a signal number
     * @return its conventional name: {@code SIGTERM}; {@code SIGRTMIN+3}, {@code SIGRTMAX-1} for the
     *     real-time signals 34..64 (glibc's numbering); {@code signal N} for any other number
     */
    public static String nameOf(int number) {
        Optional<Signal> named = ofNumber(number);
        if (named.isPresent()) return named.get().fullName();
        if (number == 34) return "SIGRTMIN";
        if (number == 64) return "SIGRTMAX";
        if (number > 34 && number <= 49) return "SIGRTMIN+" + (number - 34);
        if (number > 49 && number < 64) return "SIGRTMAX-" + (64 - number);
        return "signal " + number;
    }

    /** @return a description for logs, e.g. {@code "SIGKILL (9)"}, {@code "SIGRTMIN+3 (37)"} */
    public static String describe(int number) {
        String name = nameOf(number);
        return name.startsWith("SIG") ? name + " (" + number + ")" : name;
    }
}
