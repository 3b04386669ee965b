package io.jinit.cli;

import io.jinit.posix.RawStrings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The init's own arguments as the exact bytes it was given. The JVM decodes {@code main}'s
 * arguments with the locale's charset (ASCII in a container without {@code LANG}), which would
 * turn non-ASCII bytes into {@code ?}; {@code /proc/self/cmdline} ({@code proc(5)}) has them whole:
 * the JVM's own options first, the application's arguments last.
 */
final class RawArguments {
    private RawArguments() {}

    /**
     * @param jvmDecoded the arguments {@code main} received
     * @return the same arguments decoded losslessly ({@link RawStrings}); {@code jvmDecoded}
     *     when {@code /proc/self/cmdline} cannot be read
     */
    static String[] of(String[] jvmDecoded) {
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | SecurityException e) {
            return jvmDecoded;
        }
        List<String> all = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                byte[] arg = new byte[i - start];
                System.arraycopy(cmdline, start, arg, 0, arg.length);
                all.add(RawStrings.decode(arg));
                start = i + 1;
            }
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
}
