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

    private static final String SIGNALS = "HUP,INT,QUIT,USR1,USR2,ALRM,TERM,CONT,TSTP,TTIN,TTOU,WINCH";

    @TempDir
    Path tmp;

    /** One boot as the launcher starts it (signals blocked, lib/launch/jvm.args), logging class loads. */
    private List<String> classLoadsOfABoot() throws Exception {
        Path image = MyInitRun.image();
        Path aot = image.resolve("lib/jinit.aot");
        assertThat(aot).as("the image has an AOT cache").exists();
        Path log = tmp.resolve("class-load.log");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-p", "-f", "--mount-proc", "--kill-child",
                "env", "--block-signal=" + SIGNALS, "_JAVA_SR_SIGNUM=60",
                MyInitRun.java().toString(), "-XX:AOTCache=" + aot, "-XX:AOTMode=on",
                "-Xlog:class+load=info:file=" + log));
        Path args = image.resolve("lib/launch/jvm.args");
        if (Files.exists(args)) {
            cmd.add("@" + args);
        } else {
            cmd.addAll(List.of("-m", "io.jinit/io.jinit.cli.MyInit"));
        }
        cmd.addAll(List.of("--quiet", "--skip-runit", "--no-kill-all-on-exit", "--", "/bin/true"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("boot finished").isTrue();
        assertThat(p.exitValue()).as(() -> "exit status; output: " + read(tmp.resolve("out.txt"))).isZero();
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
