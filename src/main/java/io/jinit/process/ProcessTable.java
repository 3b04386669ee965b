package io.jinit.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of the processes visible in {@code /proc} ({@code proc(5)}): PID → parent PID,
 * read from field 4 of {@code /proc/<pid>/stat}. Used by kill-all when the init is not PID 1,
 * to signal only its own descendants.
 */
public final class ProcessTable {
    private final Map<Integer, Integer> parents;

    private ProcessTable(Map<Integer, Integer> parents) {
        this.parents = parents;
    }

    /**
     * Reads the table now. Processes that exit while it is read are left out.
     *
     * @param proc the procfs mount, normally {@code /proc}
     * @return the snapshot
     * @throws IOException if the procfs directory cannot be listed
     */
    public static ProcessTable read(Path proc) throws IOException {
        Map<Integer, Integer> parents = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
                    // "pid (comm) state ppid ...": comm may hold spaces and ')', so split after the last ')'.
                    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
                    parents.put(Integer.parseInt(name), Integer.parseInt(rest[1]));
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile, or not readable: not ours to signal
                }
            }
        }
        return new ProcessTable(parents);
    }

    /**
     * @param ancestor a PID
     * @return every process whose chain of parents reaches {@code ancestor} (not the ancestor itself)
     */
    public List<Integer> descendantsOf(int ancestor) {
        Map<Integer, List<Integer>> children = new HashMap<>();
        parents.forEach((pid, ppid) -> children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(pid));
        List<Integer> out = new ArrayList<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>(children.getOrDefault(ancestor, List.of()));
        while (!queue.isEmpty()) {
            int pid = queue.poll();
            out.add(pid);
            queue.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }
}
