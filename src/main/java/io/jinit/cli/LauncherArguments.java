package io.jinit.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * What the launcher ({@code bin/my_init} → {@code lib/launch/save} → {@code lib/launch/jvm}, three
 * {@code #!/usr/bin/env -S} lines; see {@code lib/launch/install}) did before the init's own code
 * runs. Each {@code env} stage appends the path of its script, so the JVM's application arguments
 * are, in order:
 * <pre>
 *   IMAGE/lib/launch/jvm  IMAGE/lib/launch/save  SCRIPT (the path the container ran, e.g. /sbin/my_init)  the init's arguments...
 * </pre>
 * and the JVM variables the container set travel in carrier variables of the environment, never
 * in a command line ({@code /proc/PID/cmdline} is readable by every user, {@code /proc/PID/environ}
 * only by the process's own): {@code JAVA_TOOL_OPTIONS} in {@code JINIT_JTO}, {@code _JAVA_OPTIONS}
 * in {@code JINIT_JO}, {@code JDK_JAVA_OPTIONS} in {@code JINIT_JDK}, {@code _JAVA_SR_SIGNUM} in
 * {@code JINIT_SR} (the launcher gives the JVM its own {@code _JAVA_SR_SIGNUM}). {@code env -S}
 * expands an unset variable to the empty string, so an empty value means "unset" (a variable the
 * container set to the empty string reaches the children unset).
 *
 * @param args      the init's own arguments, after the launcher's
 * @param script    the path the container ran ({@code argv[0]} as the init shows it); empty when not launched
 * @param saved     each JVM variable with a non-empty value (name → raw value)
 * @param launched  true when the arguments came through the launcher; false for a direct
 *                  {@code java -m io.jinit/...} (nothing saved, the arguments as given)
 */
record LauncherArguments(List<String> args, String script, SequencedMap<String, String> saved, boolean launched) {

    /** Each variable the launcher keeps away from the JVM → the carrier variable that holds its value, in the order they are given back. */
    static final SequencedMap<String, String> CARRIERS = carriers();
    /** The value {@code lib/launch/save} gives {@code _JAVA_SR_SIGNUM} (HotSpot's suspend/resume signal, off USR2). */
    static final String SR_SIGNUM = "60";
    private static final String SR_VARIABLE = "_JAVA_SR_SIGNUM";

    /** The launcher's arguments before the script's path: the paths of lib/launch/jvm and lib/launch/save. */
    private static final int STAGE_TOKENS = 2;

    private static SequencedMap<String, String> carriers() {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        m.put("JAVA_TOOL_OPTIONS", "JINIT_JTO");
        m.put("_JAVA_OPTIONS", "JINIT_JO");
        m.put("JDK_JAVA_OPTIONS", "JINIT_JDK");
        m.put(SR_VARIABLE, "JINIT_SR");
        return m;
    }

    /**
     * @param raw         the JVM's application arguments, byte-exact ({@link RawArguments})
     * @param environment the init's environment as the JVM received it (the carriers in it)
     * @return the launcher's part taken apart; {@code launched()} false when {@code raw} does not
     *     start with the launcher's layout
     */
    static LauncherArguments parse(String[] raw, Map<String, String> environment) {
        if (raw.length <= STAGE_TOKENS || !raw[0].endsWith("/lib/launch/jvm") || !raw[1].endsWith("/lib/launch/save")) {
            return new LauncherArguments(List.of(raw), "", new LinkedHashMap<>(), false);
        }
        SequencedMap<String, String> saved = new LinkedHashMap<>();
        CARRIERS.forEach((name, carrier) -> {
            String value = environment.get(carrier);
            if (value != null && !value.isEmpty()) saved.put(name, value);
        });
        return new LauncherArguments(List.of(Arrays.copyOfRange(raw, STAGE_TOKENS + 1, raw.length)),
                raw[STAGE_TOKENS], saved, true);
    }

    /** @return the command line the container gave: the script's path, then the init's arguments */
    List<String> commandLine() {
        List<String> all = new java.util.ArrayList<>();
        all.add(script);
        all.addAll(args);
        return all;
    }

    /**
     * Gives the environment back what the container set: removes the carriers and the
     * {@code _JAVA_SR_SIGNUM} the launcher set (unless the container had one, which then keeps its
     * place and value) and puts back the JVM variables (at the end: their original place is not known).
     *
     * @param environment the init's environment as the JVM received it; changed in place
     */
    void restore(SequencedMap<String, String> environment) {
        if (!launched) return;
        CARRIERS.values().forEach(environment::remove);
        if (!saved.containsKey(SR_VARIABLE)) environment.remove(SR_VARIABLE);
        // an existing name (the container's _JAVA_SR_SIGNUM) keeps its place; the others are appended
        saved.forEach(environment::put);
    }
}
