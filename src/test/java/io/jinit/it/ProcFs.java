package io.jinit.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.SortedSet;

/**
 * Reads the test's own {@code /proc} (the host view: PIDs are those of the test's PID
 * namespace). Every reader tolerates processes that vanish while being read.
 */
public final class ProcFs {
    private ProcFs() {}

    private static final Path PROC = Path.of("/proc");

    /**
     * One line of {@code /proc/PID/stat}, the fields the tests use.
     *
     * @param pid the PID
     * @param comm the command name (without parentheses)
     * @param state the one-letter state (R, S, D, Z, T, ...)
     * @param ppid the parent PID
     * @param startTime start time in clock ticks since boot (with pid, identifies a process)
     */
    public record Proc(long pid, String comm, char state, long ppid, long startTime) {
        /** @return true if this is a zombie (exited, not reaped) */
        boolean zombie() {
            return state == 'Z';
        }

        @Override
        public String toString() {
            return pid + " " + state + " ppid=" + ppid + " (" + comm + ")";
        }
    }

    /**
     * Parses a {@code /proc/PID/stat} line.
     *
     * @param line the line
     * @return the parsed fields
     */
    static Proc parseStat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        long pid = Long.parseLong(line.substring(0, open).trim());
        String comm = line.substring(open + 1, close);
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] = state (field 3), f[1] = ppid (field 4), f[19] = starttime (field 22)
        return new Proc(pid, comm, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19]));
    }

    /**
     * @param pid a PID
     * @return its stat, or empty if it does not exist (any more)
     */
    public static Optional<Proc> stat(long pid) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            return Optional.of(parseStat(s));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return every process visible in /proc now */
    static List<Proc> all() {
        List<Proc> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    stat(Long.parseLong(name)).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * @param pid a PID
     * @return the direct children of pid (by ppid)
     */
    static List<Proc> children(long pid) {
        return all().stream().filter(p -> p.ppid() == pid).toList();
    }

    /**
     * @param pid a PID
     * @return all descendants of pid, breadth first (pid itself not included)
     */
    public static List<Proc> descendants(long pid) {
        List<Proc> all = all();
        Map<Long, List<Proc>> byParent = new LinkedHashMap<>();
        for (Proc p : all) {
            byParent.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        }
        List<Proc> out = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty()) {
            for (Proc c : byParent.getOrDefault(todo.poll(), List.of())) {
                out.add(c);
                todo.add(c.pid());
            }
        }
        return out;
    }

    /**
     * @param pid a PID
     * @return where /proc/PID/exe points, or empty (gone, zombie, kernel thread)
     */
    static Optional<Path> exe(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(PROC.resolve(pid + "/exe")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * @param pid a PID
     * @return its argv (empty if gone or a zombie)
     */
    static List<String> cmdline(long pid) {
        try {
            String s = Files.readString(PROC.resolve(pid + "/cmdline"), StandardCharsets.ISO_8859_1);
            if (s.isEmpty()) {
                return List.of();
            }
            return List.of(s.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * @param pid a PID
     * @return the target of /proc/PID/ns/pid (e.g. {@code pid:[4026532]}), or empty
     */
    static Optional<String> pidNamespace(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(PROC.resolve(pid + "/ns/pid")).toString());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Every process in the same PID namespace as pid (including pid).
     *
     * @param pid a process of the namespace
     * @return those processes, or an empty list if pid is gone
     */
    static List<Proc> inNamespaceOf(long pid) {
        Optional<String> ns = pidNamespace(pid);
        if (ns.isEmpty()) {
            return List.of();
        }
        return all().stream().filter(p -> ns.equals(pidNamespace(p.pid()))).toList();
    }

    /**
     * @param pid a PID
     * @return the numbers of its open fds
     * @throws IOException if the process is gone
     */
    static SortedSet<Integer> fds(long pid) throws IOException {
        SortedSet<Integer> out = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
            for (Path p : ds) {
                out.add(Integer.parseInt(p.getFileName().toString()));
            }
        }
        return out;
    }

    /**
     * @param pid a PID
     * @return the fields of /proc/PID/status (name to value, trimmed)
     * @throws IOException if the process is gone
     */
    public static Map<String, String> status(long pid) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(PROC.resolve(pid + "/status"), StandardCharsets.ISO_8859_1)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    /**
     * @param pid a PID
     * @return the NSpid line of /proc/PID/status: its PID in each nested namespace, outermost
     *     first (empty if gone)
     */
    static List<Long> nsPids(long pid) {
        try {
            String v = status(pid).get("NSpid");
            if (v == null) {
                return List.of();
            }
            return java.util.Arrays.stream(v.split("\\s+")).map(Long::parseLong).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * A readable process tree for failure messages.
     *
     * @param pid the root
     * @return one line per process: pid, state, ppid, argv
     */
    static String tree(long pid) {
        StringBuilder sb = new StringBuilder();
        List<Proc> list = new ArrayList<>();
        stat(pid).ifPresent(list::add);
        list.addAll(descendants(pid));
        for (Proc p : list) {
            sb.append("  ").append(p).append(' ').append(String.join(" ", cmdline(p.pid()))).append('\n');
        }
        return sb.toString();
    }
}
