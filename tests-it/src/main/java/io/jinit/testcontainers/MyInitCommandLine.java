package io.jinit.testcontainers;

import java.util.ArrayList;
import java.util.List;

/**
 * What a container's command says about how {@code my_init} runs: whether runit is started,
 * whether info lines are logged, where the service directory is, and the main command.
 *
 * @param found      whether a {@code my_init} was found in the command at all
 * @param skipRunit  {@code --skip-runit} was given
 * @param quiet      {@code --quiet} was given (info log lines hidden)
 * @param serviceDir the directory runsvdir(8) supervises, {@code /etc/service} unless
 *                   {@code --root DIR} was given
 * @param main       the main command (the words after {@code --}), empty when none
 */
record MyInitCommandLine(boolean found, boolean skipRunit, boolean quiet, String serviceDir, List<String> main) {

    /**
     * Finds {@code my_init} in a command (the program itself, or an argument of a wrapper such as
     * {@code tini -- /sbin/my_init ...} or {@code sh -c}-free wrappers) and reads its options.
     *
     * @param path the program Docker started (inspect's {@code Path})
     * @param args its arguments (inspect's {@code Args})
     * @return the options; {@code found == false} with defaults when no {@code my_init} appears
     */
    static MyInitCommandLine parse(String path, List<String> args) {
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
        if (at < 0) {
            return new MyInitCommandLine(false, false, false, "/etc/service", List.of());
        }
        boolean skipRunit = false;
        boolean quiet = false;
        String root = "";
        List<String> main = List.of();
        for (int i = at + 1; i < all.size(); i++) {
            String w = all.get(i);
            if (w.equals("--")) {
                main = List.copyOf(all.subList(i + 1, all.size()));
                break;
            } else if (w.equals("--skip-runit")) {
                skipRunit = true;
            } else if (w.equals("--quiet")) {
                quiet = true;
            } else if (w.equals("--root") && i + 1 < all.size()) {
                root = all.get(++i);
            } else if (w.startsWith("--root=")) {
                root = w.substring("--root=".length());
            }
        }
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return new MyInitCommandLine(true, skipRunit, quiet, root + "/etc/service", main);
    }
}
