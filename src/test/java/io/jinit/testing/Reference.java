package io.jinit.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Python my_init we replace lies: {@code <shared>/reference/phusion-my_init/my_init}.
 * {@code <shared>} is the system property {@code jinit.shared} (the pom sets it to
 * {@code ${project.basedir}/../shared}, where CI's clone has it); when that does not hold the
 * file, each ancestor directory of the working directory is tried for a {@code shared/}
 * that does (a worktree nested deeper than the main checkout).
 */
public final class Reference {
    private Reference() {}

    /** The file's path below a {@code shared} directory. */
    public static final String MY_INIT = "reference/phusion-my_init/my_init";

    /**
     * @return the reference my_init (a Python 3 script)
     * @throws AssertionError naming every place looked at, when none holds it (never a skip)
     */
    public static Path myInit() {
        StringBuilder tried = new StringBuilder();
        String property = System.getProperty("jinit.shared");
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property).resolve(MY_INIT).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) return p;
            tried.append(' ').append(p);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("shared").resolve(MY_INIT);
            if (Files.isRegularFile(p)) return p;
            tried.append(' ').append(p);
        }
        throw new AssertionError("the reference my_init is missing: looked at" + tried
                + " (set -Djinit.shared=DIR to the directory holding " + MY_INIT + ")");
    }

    /**
     * @return the python3 program to run the reference with
     * @throws AssertionError when no python3 is installed (never a skip: .ci/run installs it)
     */
    public static String python3() {
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) return "/usr/bin/python3";
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "python3"))) return Path.of(dir, "python3").toString();
        }
        throw new AssertionError("python3 is not installed: the reference my_init needs it (.ci/run installs it)");
    }
}
