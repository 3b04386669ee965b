package io.jinit.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who is in a group, from the files {@code getgrnam(3)} and {@code getpwent(3)} read in a
 * container: the group's member list in {@code /etc/group} (field 4), then every user of
 * {@code /etc/passwd} whose primary group it is (field 4 = the group's GID).
 */
final class GroupMembers {
    private GroupMembers() {}

    /**
     * @param group a group name, e.g. {@code docker_env}
     * @return its members' names, each once, in file order; empty when the group does not exist,
     *     has no members, or the files cannot be read
     */
    static List<String> of(String group) {
        return of(group, Path.of("/etc/group"), Path.of("/etc/passwd"));
    }

    /** As {@link #of(String)}, from the given files. */
    static List<String> of(String group, Path groupFile, Path passwdFile) {
        Set<String> out = new LinkedHashSet<>();
        String gid = null;
        for (String line : lines(groupFile)) {
            String[] f = line.split(":", -1);
            if (f.length < 4 || !f[0].equals(group)) continue;
            gid = f[2];
            for (String m : f[3].split(",")) if (!m.isBlank()) out.add(m.strip());
            break;
        }
        if (gid == null) return List.of();
        for (String line : lines(passwdFile)) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[3].equals(gid)) out.add(f[0]);
        }
        return new ArrayList<>(out);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of();
        }
    }
}
