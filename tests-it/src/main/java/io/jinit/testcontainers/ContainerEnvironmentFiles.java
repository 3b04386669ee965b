package io.jinit.testcontainers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of the files in which {@code my_init} keeps the container's environment:
 * the directory {@code /etc/container_environment/} (one file per variable, the file's
 * content is the value), {@code /etc/container_environment.sh} and
 * {@code /etc/container_environment.json}. Bytes are kept exactly as they are in the container.
 *
 * @param directoryMode the directory's permission bits (e.g. {@code 0700}), empty when the
 *                      directory does not exist
 * @param variables     file name → exact file content, sorted by name; empty when the directory
 *                      does not exist. Sub-directories are left out. Read-only.
 * @param shellScript   {@code /etc/container_environment.sh}, when it exists
 * @param json          {@code /etc/container_environment.json}, when it exists
 */
public record ContainerEnvironmentFiles(OptionalInt directoryMode, SortedMap<String, byte[]> variables,
                                        Optional<File> shellScript, Optional<File> json) {

    /**
     * One regular file.
     *
     * @param content the exact bytes; do not modify the array
     * @param mode    the permission bits, e.g. {@code 0640} (octal)
     */
    public record File(byte[] content, int mode) {

        /** Checks the content is not null. */
        public File {
            Objects.requireNonNull(content, "content");
        }

        /**
         * The content decoded as UTF-8 (invalid sequences become U+FFFD).
         *
         * @return the text
         */
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof File f && f.mode == mode && Arrays.equals(f.content, content);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(content) + mode;
        }

        @Override
        public String toString() {
            return "File[mode=0" + Integer.toOctalString(mode) + ", " + content.length + " bytes]";
        }
    }

    /** Makes {@code variables} a read-only sorted copy. */
    public ContainerEnvironmentFiles {
        Objects.requireNonNull(directoryMode, "directoryMode");
        Objects.requireNonNull(shellScript, "shellScript");
        Objects.requireNonNull(json, "json");
        variables = Collections.unmodifiableSortedMap(new TreeMap<>(variables));
    }

    /**
     * The value of one variable as the directory holds it, decoded as UTF-8. The file's content
     * is returned unchanged: a trailing line break written by {@code echo v > NAME} is kept
     * (my_init strips exactly one when it imports the file).
     *
     * @param name the variable's name (the file name)
     * @return the value, empty when there is no such file
     */
    public Optional<String> value(String name) {
        byte[] b = variables.get(name);
        return b == null ? Optional.empty() : Optional.of(new String(b, StandardCharsets.UTF_8));
    }

    /**
     * The directory's variables decoded as UTF-8.
     *
     * @return name → value, sorted by name
     */
    public Map<String, String> values() {
        TreeMap<String, String> out = new TreeMap<>();
        variables.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }
}
