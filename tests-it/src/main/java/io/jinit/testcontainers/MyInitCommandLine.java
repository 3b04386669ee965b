package io.jinit.testcontainers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How {@code my_init} runs in a container, as the init itself decides it: from its command line
 * and, for every option not given there, from the {@code MY_INIT_<OPTION>} variable of its
 * environment (the image's {@code ENV} and {@code withEnv}, as {@code docker inspect} shows them
 * in {@code Config.Env}). The command line wins, as in the init.
 *
 * @param found           whether a {@code my_init} was found in the command at all
 * @param skipRunit       {@code --skip-runit} / {@code MY_INIT_SKIP_RUNIT}
 * @param quiet           info lines are hidden: {@code --quiet} / {@code MY_INIT_QUIET} without
 *                        {@code -v}/{@code --verbose} / {@code MY_INIT_VERBOSE} (verbose wins)
 * @param json            {@code --log-format=json} / {@code MY_INIT_LOG_FORMAT=json}: events are
 *                        JSON lines instead of {@code *** message} lines
 * @param serviceDir      the directory runsvdir(8) supervises, {@code /etc/service} unless
 *                        {@code --root DIR} / {@code MY_INIT_ROOT} is set
 * @param waitForServices {@code --wait-for-services[=TIMEOUT]} / {@code MY_INIT_WAIT_FOR_SERVICES}:
 *                        the init waits up to this long for the services before the main command
 *                        (default 30 s when given without a value); empty when off or unreadable
 * @param main            the main command (the words after {@code --}), empty when none
 */
record MyInitCommandLine(boolean found, boolean skipRunit, boolean quiet, boolean json, String serviceDir,
                         Optional<Duration> waitForServices, List<String> main) {

    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");
    /**
     * Options that take a value as the next word when not written {@code --name=value}; kept equal
     * to the init's option table by {@code HelperAgreesWithInitIT}.
     */
    static final Set<String> WITH_VALUE = Set.of("--root", "--kill-all", "--forward-signals", "--rewrite",
            "--stop-signal", "--services-not-ready", "--main-timeout", "--signal-mode", "--log-format",
            "--success-exit-status");
    /** Options whose value is optional: only {@code --name=value}, or a next word not starting with '-'. */
    static final Set<String> OPTIONAL_VALUE = Set.of("--wait-for-services", "--wait-for-descendants");

    /**
     * The command line alone, as if the container had no {@code MY_INIT_*} variables.
     *
     * @param path the program Docker started (inspect's {@code Path})
     * @param args its arguments (inspect's {@code Args})
     * @return the settings
     */
    static MyInitCommandLine parse(String path, List<String> args) {
        return parse(path, args, Map.of());
    }

    /**
     * Finds {@code my_init} in a command (the program itself, or an argument of a wrapper such as
     * {@code tini -- /sbin/my_init ...}) and reads its options, with the environment's
     * {@code MY_INIT_*} defaults for those not given.
     *
     * @param path the program Docker started (inspect's {@code Path})
     * @param args its arguments (inspect's {@code Args})
     * @param env  the container's environment (inspect's {@code Config.Env} as name → value)
     * @return the settings; {@code found == false} with the environment's settings when no
     *         {@code my_init} appears
     */
    static MyInitCommandLine parse(String path, List<String> args, Map<String, String> env) {
        List<String> all = new ArrayList<>();
        if (path != null) {
            all.add(path);
        }
        all.addAll(args);
        int at = -1;
        for (int i = 0; i < all.size(); i++) {
            String w = all.get(i);
            String base = w.substring(w.lastIndexOf('/') + 1);
            if (base.equals("my_init")) {
                at = i;
                break;
            }
        }
        // option name → value given on the command line ("" for a flag or an optional value left out)
        java.util.HashMap<String, String> given = new java.util.HashMap<>();
        List<String> main = List.of();
        for (int i = at < 0 ? all.size() : at + 1; i < all.size(); i++) {
            String w = all.get(i);
            if (w.equals("--")) {
                main = List.copyOf(all.subList(i + 1, all.size()));
                break;
            }
            if (w.equals("-v")) {
                w = "--verbose";
            }
            int eq = w.indexOf('=');
            String name = eq > 0 ? w.substring(0, eq) : w;
            if (eq > 0) {
                given.put(name, w.substring(eq + 1));
            } else if (WITH_VALUE.contains(w) && i + 1 < all.size()) {
                given.put(w, all.get(++i));
            } else if (OPTIONAL_VALUE.contains(w) && i + 1 < all.size() && !all.get(i + 1).startsWith("-")) {
                given.put(w, all.get(++i));
            } else {
                given.put(w, "");
            }
        }
        boolean skipRunit = flag("--skip-runit", given, env);
        boolean quiet = flag("--quiet", given, env) && !flag("--verbose", given, env);
        String format = value("--log-format", given, env);
        boolean json = format != null && format.strip().equals("json");
        String root = value("--root", given, env);
        root = root == null ? "" : root;
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        Optional<Duration> wait = Optional.empty();
        String w = value("--wait-for-services", given, env);
        if (w != null) {
            wait = duration(w.isEmpty() ? "30s" : w);
        }
        return new MyInitCommandLine(at >= 0, skipRunit, quiet, json, root + "/etc/service", wait, main);
    }

    /**
     * Turns {@code docker inspect}'s {@code Config.Env} entries ({@code NAME=VALUE}) into a map.
     *
     * @param entries the entries, may be null
     * @return name → value; later entries win
     */
    static Map<String, String> environment(String[] entries) {
        Map<String, String> env = new java.util.HashMap<>();
        if (entries != null) {
            for (String e : entries) {
                int eq = e.indexOf('=');
                if (eq > 0) {
                    env.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
        }
        return env;
    }

    /**
     * Parses a duration as the init does: a whole number with an optional unit {@code ms},
     * {@code s} (the default), {@code m} or {@code h}.
     *
     * @param text e.g. {@code 3s}, {@code 500ms}, {@code 2m}
     * @return the duration, empty when the text is not one (the init then refuses to start)
     */
    static Optional<Duration> duration(String text) {
        String v = text.strip().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') { // ASCII digits only, as the init
            i++;
        }
        if (i == 0 || i > 10) {
            return Optional.empty();
        }
        long n = Long.parseLong(v.substring(0, i));
        switch (v.substring(i)) {
            case "ms":
                return Optional.of(Duration.ofMillis(n));
            case "":
            case "s":
                return Optional.of(Duration.ofSeconds(n));
            case "m":
                return Optional.of(Duration.ofMinutes(n));
            case "h":
                return Optional.of(Duration.ofHours(n));
            default:
                return Optional.empty();
        }
    }

    private static String envName(String option) {
        return "MY_INIT_" + option.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static boolean flag(String option, Map<String, String> given, Map<String, String> env) {
        if (given.containsKey(option)) {
            return true;
        }
        String e = env.get(envName(option));
        return e != null && TRUE.contains(e.strip().toLowerCase(Locale.ROOT));
    }

    /** @return the command line's value ("" for an optional value left out), else the variable's, else null */
    private static String value(String option, Map<String, String> given, Map<String, String> env) {
        if (given.containsKey(option)) {
            return given.get(option);
        }
        String e = env.get(envName(option));
        return e == null || e.isBlank() ? null : e;
    }
}
