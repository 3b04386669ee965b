package io.jinit.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * What the launcher ({@code bin/my_init} → {@code lib/launch/save} → {@code lib/launch/jvm}, three
 * {@code #!/usr/bin/env -S} lines; see {@code lib/launch/install}) puts before the init's own
 * arguments. Each {@code env} stage appends the path of its script, and the first two stages hand
 * on the JVM variables that the last two remove from the environment, so the JVM's application
 * arguments are, in order:
 * <pre>
 *   IMAGE/lib/launch/jvm  +JDK_JAVA_OPTIONS=V  +_JAVA_SR_SIGNUM=V
 *   IMAGE/lib/launch/save +JAVA_TOOL_OPTIONS=V +_JAVA_OPTIONS=V
 *   SCRIPT (the path the container ran, e.g. /sbin/my_init)   the init's arguments...
 * </pre>
 * {@code env -S} expands an unset variable to the empty string, so an empty value means "unset"
 * (a variable the container set to the empty string reaches the children unset).
 *
 * @param args      the init's own arguments, after the launcher's
 * @param saved     each JVM variable with a non-empty value (name → raw value)
 * @param launched  true when the arguments came through the launcher; false for a direct
 *                  {@code java -m io.jinit/...} (nothing saved, the arguments as given)
 */
record LauncherArguments(List<String> args, SequencedMap<String, String> saved, boolean launched) {

    /** The variables the launcher keeps away from the JVM, in the order it hands them on. */
    static final List<String> JVM_VARIABLES =
            List.of("JDK_JAVA_OPTIONS", "_JAVA_SR_SIGNUM", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");
    /** The order in which {@link #restore} appends them: the order people usually read them in. */
    private static final List<String> RESTORE_ORDER =
            List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_SR_SIGNUM");
    /** The value {@code lib/launch/jvm} gives {@code _JAVA_SR_SIGNUM} (HotSpot's suspend/resume signal, off USR2). */
    static final String SR_SIGNUM = "60";

    private static final int STAGE_TOKENS = 7;

    /**
     * @param raw the JVM's application arguments, byte-exact ({@link RawArguments})
     * @return the launcher's part taken apart; {@code launched()} false when {@code raw} does not
     *     start with the launcher's layout
     */
    static LauncherArguments parse(String[] raw) {
        if (raw.length < STAGE_TOKENS || !raw[0].endsWith("/lib/launch/jvm") || !raw[3].endsWith("/lib/launch/save")) {
            return new LauncherArguments(List.of(raw), new LinkedHashMap<>(), false);
        }
        String[] tokens = {raw[1], raw[2], raw[4], raw[5]};
        SequencedMap<String, String> saved = new LinkedHashMap<>();
        for (int i = 0; i < tokens.length; i++) {
            String prefix = "+" + JVM_VARIABLES.get(i) + "=";
            if (!tokens[i].startsWith(prefix)) return new LauncherArguments(List.of(raw), new LinkedHashMap<>(), false);
            String value = tokens[i].substring(prefix.length());
            if (!value.isEmpty()) saved.put(JVM_VARIABLES.get(i), value);
        }
        return new LauncherArguments(List.of(Arrays.copyOfRange(raw, STAGE_TOKENS, raw.length)), saved, true);
    }

    /**
     * Gives the environment back what the container set: removes the {@code _JAVA_SR_SIGNUM} the
     * launcher set (unless the container had one, which then keeps its place and value) and puts
     * back the removed JVM variables (at the end: their original place is not known).
     *
     * @param environment the init's environment as the JVM received it; changed in place
     */
    void restore(SequencedMap<String, String> environment) {
        if (!launched) return;
        if (!saved.containsKey("_JAVA_SR_SIGNUM")) environment.remove("_JAVA_SR_SIGNUM");
        // an existing name (the container's _JAVA_SR_SIGNUM) keeps its place; the others are appended
        for (String name : RESTORE_ORDER) {
            if (saved.containsKey(name)) environment.put(name, saved.get(name));
        }
    }
}
