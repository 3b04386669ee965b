package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a boot loads, from the JVM's own class-load log: every class of the image
 * comes from the AOT cache (none read and verified from {@code lib/modules}: picocli must be the
 * build's {@code --release 25} compile, which the cache can link), and the FFM downcalls spin at
 * most two stub classes (the two downcall shapes of {@code io.jinit.posix.Libc}). Counts, not
 * times: the times are in tests-it/bench.
 */
@Timeout(60)
class BootClassesIT {

    @TempDir
    Path tmp;

    /**
     * One boot exactly as the launcher starts it (its own stages, read from the image: signals
     * blocked, {@code -Xrs}, the AOT cache), with {@code -XX:AOTMode=on} (an unusable cache is an
     * error) and the class-load log added. The main command records PID 1's command line, which
     * shows that this JVM ran the boot and did not re-execute itself (the re-executed JVM would
     * carry {@code -Djinit.signalfd=1}).
     */
    private List<String> classLoadsOfABoot() throws Exception {
        Path image = MyInitRun.image();
        Path aot = image.resolve("lib/jinit.aot");
        assertThat(aot).as("the image has an AOT cache").exists();
        Path log = tmp.resolve("class-load.log");
        Path cmdline = tmp.resolve("cmdline");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-p", "-f", "--mount-proc", "--kill-child"));
        cmd.addAll(MyInitRun.launcherCommand(List.of("-XX:AOTMode=on", "-Xlog:class+load=info:file=" + log)));
        cmd.addAll(List.of("--quiet", "--skip-runit", "--no-kill-all-on-exit", "--", "sh", "-c",
                "tr '\\0' ' ' < /proc/1/cmdline > " + cmdline));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("boot finished").isTrue();
        assertThat(p.exitValue()).as(() -> "exit status; output: " + read(tmp.resolve("out.txt"))).isZero();
        assertThat(Files.readString(cmdline)).as("PID 1 is the JVM the test started, not a re-executed one")
                .contains(" -Xrs -XX:AOTMode=on ").contains("-XX:AOTCache=" + aot).doesNotContain("jinit.signalfd");
        return Files.readAllLines(log);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }

    @Test
    void everyClassOfTheImageComesFromTheAotCache() throws Exception {
        List<String> loads = classLoadsOfABoot();
        assertThat(loads).as("classes loaded").hasSizeGreaterThan(1000);
        assertThat(loads).as("classes read from lib/modules instead of the AOT cache")
                .filteredOn(l -> l.contains("source: jrt:/")).isEmpty();
        assertThat(loads).as("picocli classes from the AOT cache")
                .filteredOn(l -> l.contains(" picocli.") && l.contains("source: shared objects file")).isNotEmpty();
    }

    @Test
    void theDowncallsOfABootSpinAtMostTwoStubs() throws Exception {
        List<String> loads = classLoadsOfABoot();
        assertThat(loads).as("DowncallStub classes spun (one per downcall shape)")
                .filteredOn(l -> l.contains("jdk.internal.foreign.abi.DowncallStub")).hasSizeBetween(1, 2);
    }
}
