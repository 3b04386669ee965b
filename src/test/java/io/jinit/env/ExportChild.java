package io.jinit.env;

import io.jinit.bytes.RawStrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A separate JVM for {@link AtomicityTest}: {@code crash ROOT NAME} exports A and B and halts the
 * JVM (no shutdown hooks, no cleanup: as a SIGKILL would) between writing the temporary file
 * of NAME and renaming it; {@code lazy ROOT} prints markers between steps, so that the class
 * loading log shows when jackson is loaded; {@code charset ROOT} reads the directory and exports
 * it with two more variables whose names are not ASCII, under whatever locale it was started.
 */
public final class ExportChild {
    private ExportChild() {}

    static final int HALTED = 86;

    /** @param args {@code crash ROOT NAME}, {@code lazy ROOT} or {@code charset ROOT} */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[1]);
        EnvPaths paths = EnvPaths.under(root);
        switch (args[0]) {
            case "crash" -> {
                String crashAt = args[2];
                var env = new ContainerEnvironment(paths, System.err::println, ContainerEnvironment.READER_GROUP, true,
                        (temp, target) -> {
                            if (target.getFileName().toString().equals(crashAt)) Runtime.getRuntime().halt(HALTED);
                        });
                Map<String, String> vars = new LinkedHashMap<>();
                vars.put("A", "new-A");
                vars.put("B", "new-B");
                env.export(vars, true);
            }
            case "lazy" -> {
                var env = new ContainerEnvironment(paths, System.err::println);
                env.export(env.importInitial(System.getenv()), true);
                mark("no-directory");
                Files.createDirectories(paths.directory());
                Files.writeString(paths.directory().resolve("A"), "1\n");
                var imported = env.importInitial(Map.of("B", "2"));
                env.reimport(imported);
                mark("read");
                env.export(imported, true);
                mark("exported");
            }
            case "charset" -> {
                // lines as UTF-8 bytes: System.out itself would write '?' for non-ASCII in the C locale
                var out = new java.io.PrintStream(System.out, true, java.nio.charset.StandardCharsets.UTF_8);
                out.println("sun.jnu.encoding=" + System.getProperty("sun.jnu.encoding"));
                var env = new ContainerEnvironment(paths, out::println);
                var vars = new LinkedHashMap<>(env.readDirectory());
                vars.put("NEU_\u00d6", "\u00f6");
                vars.put(RawStrings.decode(new byte[] {'R', (byte) 0xFF}), "raw");
                env.export(vars, true);
                out.println("exported " + vars.size());
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void mark(String what) {
        System.out.println("MARK " + what);
        System.out.flush();
    }
}
