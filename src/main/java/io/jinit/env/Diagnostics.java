package io.jinit.env;

import io.jinit.posix.IoFailures;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The warning lines of the env work. A problem with a single entry or variable never fails the
 * work: the entry is skipped and one line goes to the consumer, without the {@code "*** "}
 * prefix, which the caller's log adds. Every name is shown by {@link #display}, so a line stays
 * one line whatever bytes the name holds. The lines, with {@code 'N'} a displayed name:
 *
 * <ul>
 * <li>{@code Skipping 'N' in DIR: REASON}: an entry of the variables directory that was not
 *     imported ({@link VariableDirectory#read}).
 * <li>{@code Skipping variable 'N': REASON}: an entry of the environment that is no variable at
 *     all (empty name, {@code '='} or NUL in the name, NUL in the value); it is written nowhere.
 * <li>{@code Variable 'N' not written to DIR (REASON); left out of SH (REASON)}: one line per
 *     variable naming every place it was left out of; either part alone when only one applies.
 * <li>{@code Cannot give FILE (and the other exports) the group G: REASON; its members cannot
 *     read them: M1, M2}: an export written with the default group ({@link AtomicWriter#write});
 *     at most once per instance, and only when the group has members (a user whose primary or
 *     supplementary group it is): when nobody is in the group, nobody misses the file.
 * </ul>
 *
 * <p>Each REASON is a short clause from the check that found the problem; for a failed file
 * operation it is {@link #reason(Exception)}.
 */
final class Diagnostics {
    private final EnvPaths paths;
    private final Consumer<String> lines;
    private final Function<String, List<String>> members;
    private boolean groupReported;

    /**
     * @param paths the files the lines name
     * @param lines receives each warning line
     * @throws NullPointerException if an argument is null
     */
    Diagnostics(EnvPaths paths, Consumer<String> lines) {
        this(paths, lines, GroupMembers::of);
    }

    /**
     * @param members the members of a group by its name (tests: a fixed answer; production
     *                {@link GroupMembers#of}, from {@code /etc/group} and {@code /etc/passwd})
     */
    Diagnostics(EnvPaths paths, Consumer<String> lines, Function<String, List<String>> members) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.lines = Objects.requireNonNull(lines, "warnings");
        this.members = Objects.requireNonNull(members, "members");
    }

    /** {@code Skipping 'N' in DIR: REASON} for an entry of the variables directory not imported. */
    void entrySkipped(String name, String reason) {
        lines.accept("Skipping " + display(name) + " in " + paths.directory() + ": " + reason);
    }

    /** {@code Skipping variable 'N': REASON} for an environment entry that is no variable. */
    void notAVariable(String name, String reason) {
        lines.accept("Skipping variable " + display(name) + ": " + reason);
    }

    /**
     * {@code Variable 'N' not written to DIR (R1); left out of SH (R2)}, with only the parts whose
     * reason is not null; no line when both are null.
     *
     * @param notWritten why the variable's file was not written, or null
     * @param leftOut    why the variable has no line in the {@code .sh}, or null
     */
    void leftOut(String name, String notWritten, String leftOut) {
        List<String> parts = new ArrayList<>(2);
        if (notWritten != null) parts.add("not written to " + paths.directory() + " (" + notWritten + ")");
        if (leftOut != null) parts.add("left out of " + paths.shellFile() + " (" + leftOut + ")");
        if (!parts.isEmpty()) lines.accept("Variable " + display(name) + " " + String.join("; ", parts));
    }

    /**
     * {@code Cannot give FILE (and the other exports) the group G: REASON; its members cannot read
     * them: M...}: the file is written with its default group. Said at most once per instance,
     * and not at all when the group has no members (e.g. as root without CAP_CHOWN, {@code
     * --cap-drop ALL}, in an image where nobody is in {@code docker_env}: nothing is lost).
     */
    void groupNotSet(Path target, GroupPrincipal group, IOException e) {
        if (groupReported) return;
        groupReported = true;
        List<String> who = members.apply(group.getName());
        if (who.isEmpty()) return;
        lines.accept("Cannot give " + target + " (and the other exports) the group " + group.getName() + ": "
                + reason(e) + "; its members cannot read them: " + String.join(", ", who));
    }

    /**
     * A name for a warning line: in single quotes, with {@code \} and {@code '} escaped,
     * control and line-separator characters as {@code \n}, {@code \t}, {@code \}{@code uXXXX},
     * and bytes that are not UTF-8 as {@code \xHH}; so a line stays one line.
     *
     * @param s a name
     * @return the quoted form
     */
    static String display(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('\'');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    int type = Character.getType(cp);
                    if (cp >= 0xDC80 && cp <= 0xDCFF) {
                        out.append(String.format("\\x%02x", cp - 0xDC00));
                    } else if (type == Character.CONTROL || type == Character.LINE_SEPARATOR
                            || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE) {
                        out.append(String.format("\\u%04x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('\'').toString();
    }

    /**
     * @param e a failed file operation
     * @return a short reason with its errno name ({@link IoFailures#reason}, e.g. "Permission
     *     denied (EACCES)", "Is a directory (EISDIR)"), else the message
     */
    static String reason(Exception e) {
        if (e instanceof IOException io) return IoFailures.reason(io);
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
