package io.jinit.cli;

import io.jinit.bytes.RawStrings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The init's own arguments as the exact bytes it was given. The JVM decodes {@code main}'s
 * arguments with the locale's charset (ASCII in a container without {@code LANG}), which would
 * turn non-ASCII bytes into {@code ?}; {@code /proc/self/cmdline} ({@code proc(5)}) has them whole:
 * the JVM's own options first, the application's arguments last. {@link #commandLine} is the one
 * reader of that file: it also gives {@link SignalMode#reexec} the command line to run again.
 */
final class RawArguments {
    private RawArguments() {}

    /**
     * @param jvmDecoded the arguments {@code main} received
     * @return the same arguments decoded losslessly ({@link RawStrings}); {@code jvmDecoded}
     *     when {@code /proc/self/cmdline} cannot be read
     */
    static String[] of(String[] jvmDecoded) {
        List<String> all = new ArrayList<>();
        try {
            for (byte[] arg : commandLine()) all.add(RawStrings.decode(arg));
        } catch (IOException | SecurityException e) {
            return jvmDecoded;
        }
        if (all.size() < jvmDecoded.length) return jvmDecoded;
        List<String> tail = all.subList(all.size() - jvmDecoded.length, all.size());
        for (int i = 0; i < jvmDecoded.length; i++) {
            // the same argument, unless the JVM's decoding lost bytes: lengths may differ then, ASCII never
            String a = tail.get(i), b = jvmDecoded[i];
            if (a.chars().allMatch(c -> c < 0x80) && !a.equals(b)) return jvmDecoded;
        }
        return tail.toArray(String[]::new);
    }

    /**
     * The whole command line of this process, JVM options included, from
     * {@code /proc/self/cmdline} ({@code proc(5)}): the bytes between NULs, each argument as
     * given to {@code execve(2)}. Bytes after the last NUL (none, unless the process rewrote its
     * arguments) are not an argument.
     *
     * @return the arguments in order, {@code argv[0]} first; empty if the file is empty
     * @throws IOException if {@code /proc/self/cmdline} cannot be read (no {@code /proc})
     */
    static List<byte[]> commandLine() throws IOException {
        byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<byte[]> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                argv.add(Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        return argv;
    }
}
