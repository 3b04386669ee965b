package io.jinit.cli;

import java.time.Duration;
import java.util.Locale;

/** Parses the durations and timeouts users give on the command line and in the environment. */
final class Durations {
    /** The largest timeout accepted, in seconds (fits an int of milliseconds: about 24.8 days). */
    static final long MAX_SECONDS = Integer.MAX_VALUE / 1000;

    private Durations() {}

    /**
     * The one rule for numbers users write: ASCII digits {@code 0-9} only. {@link Character#isDigit}
     * and {@link Long#parseLong} also take other scripts' digits ({@code ٣٠} is 30), which the
     * init refuses everywhere, so that a value means the same to the init, the shell and the reader.
     *
     * @param text the text, already stripped
     * @return true when {@code text} is not empty and every char is {@code '0'..'9'}
     */
    static boolean asciiDigits(String text) {
        return !text.isEmpty() && text.chars().allMatch(Durations::asciiDigit);
    }

    private static boolean asciiDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Parses a whole number of seconds, as my_init's {@code KILL_PROCESS_TIMEOUT} is.
     *
     * @param name  the variable or option, for the error
     * @param value the text
     * @return the duration
     * @throws IllegalArgumentException with a one-line message naming {@code name} and the reason
     */
    static Duration seconds(String name, String value) {
        String v = value.strip();
        if (!asciiDigits(v) || v.length() > 10
                || Long.parseLong(v) > MAX_SECONDS) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a whole number of seconds from 0 to "
                    + MAX_SECONDS);
        }
        return Duration.ofSeconds(Long.parseLong(v));
    }

    /**
     * Parses a duration: a whole number (ASCII digits) with an optional unit {@code ms}, {@code s} (the
     * default), {@code m} or {@code h}, e.g. {@code 30}, {@code 500ms}, {@code 2m}.
     *
     * @throws IllegalArgumentException with a one-line message naming {@code name} and the reason
     */
    static Duration duration(String name, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < v.length() && asciiDigit(v.charAt(i))) i++;
        String digits = v.substring(0, i);
        String unit = v.substring(i);
        IllegalArgumentException bad = new IllegalArgumentException(name + ": '" + value
                + "' is not a duration (a whole number with an optional unit ms, s, m or h, e.g. 30s)");
        if (digits.isEmpty() || digits.length() > 10) throw bad;
        long n = Long.parseLong(digits);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "", "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw bad;
        };
        if (d.toSeconds() > MAX_SECONDS) throw bad;
        return d;
    }
}
