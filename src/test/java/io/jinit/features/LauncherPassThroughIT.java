package io.jinit.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher ({@code bin/my_init}: three {@code #!/usr/bin/env -S} lines) passes on what it was
 * given, byte for byte: every environment entry (names that are no shell names, bytes that are
 * not UTF-8, 1 MiB in all) in its order, and every argument. The init runs as PID 1 of a new PID
 * namespace, started by {@code execve(2)} with an exact environment (Python's {@code os.execve}
 * with bytes), and the main command is {@code env -0} itself, with no shell in between.
 */
@Timeout(300)
class LauncherPassThroughIT {
    @TempDir
    Path root;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Runs the launcher through execve with exactly {@code env} and {@code args}; returns its stdout. */
    private byte[] run(List<byte[]> env, List<byte[]> args) throws IOException, InterruptedException {
        return run(env, args, "");
    }

    /** The same, with {@code preamble} (Python) run just before the execve. */
    private byte[] run(List<byte[]> env, List<byte[]> args, String preamble) throws IOException, InterruptedException {
        HexFormat hex = HexFormat.of();
        // the entries go through a file of hex lines: as arguments they would exceed MAX_ARG_STRLEN
        Path spec = root.resolve("execve.hex");
        List<String> cmd = List.of("python3", "-c", """
                import os, sys
                lines = open(sys.argv[1]).read().split('\\n')[:-1]
                n = int(lines[0])
                env = [bytes.fromhex(x) for x in lines[1:1 + n]]
                argv = [bytes.fromhex(x) for x in lines[1 + n:]]
                exec(sys.argv[2])
                os.execve(argv[0], argv, dict(e.split(b'=', 1) for e in env))
                """, spec.toString(), preamble);
        List<String> lines = new ArrayList<>(List.of(Integer.toString(env.size())));
        for (byte[] e : env) lines.add(hex.formatHex(e));
        List<byte[]> argv = new ArrayList<>(List.of(b("/usr/bin/unshare"), b("-p"), b("-f"), b("--mount-proc"),
                b(Init.binary().toString()), b("--root"), b(root.toString()), b("--skip-runit"), b("--")));
        argv.addAll(args);
        for (byte[] a : argv) lines.add(hex.formatHex(a));
        Files.write(spec, lines);
        Process p = new ProcessBuilder(cmd).redirectError(root.resolve("stderr").toFile()).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(root.resolve("stderr"), StandardCharsets.ISO_8859_1)).isZero();
        return out.toByteArray();
    }

    private static List<String> entries(byte[] nulSeparated) {
        String all = new String(nulSeparated, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>(List.of(all.split("\0", -1)));
        if (!out.isEmpty() && out.getLast().isEmpty()) out.removeLast();
        return out;
    }

    @Test
    void everyEnvironmentEntryReachesTheMainCommandByteForByteInOrder() throws Exception {
        List<byte[]> env = new ArrayList<>();
        env.add(b("PATH=/usr/local/bin:/usr/bin:/bin"));
        env.add(b("spring.profiles.active=prod"));
        env.add(b("my-var=1"));
        env.add(b("a name with spaces=v"));
        env.add(b("1LEADING_DIGIT=x"));
        env.add(b("UTF8_\u00c3\u00a9=\u00c3\u00a9t\u00c3\u00a9"));
        env.add(b("NOT_UTF8=\u00ff\u00fe raw \u0080"));
        env.add(b("\u00ffNAME=not UTF-8 in the name"));
        env.add(b("NEWLINE=line1\nline2"));
        env.add(b("EMPTY="));
        env.add(b("EQUALS=a=b=c"));
        env.add(b("_JAVA_SR_SIGNUM=50"));
        // 1 MiB in all: 16 values of 64 KiB (one value may not exceed 128 KiB, MAX_ARG_STRLEN)
        for (int i = 0; i < 16; i++) env.add(b("BIG_" + i + "=" + Character.toString('a' + i).repeat(64 * 1024)));
        env.add(b("LAST=last"));
        env.add(b("JAVA_TOOL_OPTIONS=-XX:+UseG1GC"));
        env.add(b("_JAVA_OPTIONS=-Xmx2m"));
        env.add(b("JDK_JAVA_OPTIONS=--add-opens=java.base/java.lang=ALL-UNNAMED"));
        List<String> expected = env.stream().map(e -> new String(e, StandardCharsets.ISO_8859_1)).toList();
        List<String> got = entries(run(env, List.of(b("/usr/bin/env"), b("-0"))));
        assertThat(got).as("the same entries, in the same order (the three JVM variables, removed from the init's "
                + "JVM by the launcher, come back last)").containsExactlyElementsOf(expected);
        assertThat(Files.readString(root.resolve("stderr"), StandardCharsets.ISO_8859_1))
                .doesNotContain("Picked up").doesNotContain("[aot]");
    }

    @Test
    void jvmVariablesMovedToTheEndKeepTheirValuesAndAnUnsetOneStaysUnset() throws Exception {
        List<byte[]> env = List.of(b("JDK_JAVA_OPTIONS=-Dx=y"), b("PATH=/usr/bin:/bin"), b("A=1"));
        List<String> got = entries(run(env, List.of(b("/usr/bin/env"), b("-0"))));
        assertThat(got).containsExactly("PATH=/usr/bin:/bin", "A=1", "JDK_JAVA_OPTIONS=-Dx=y");
    }

    @Test
    void everyArgumentReachesTheMainCommandByteForByte() throws Exception {
        List<byte[]> args = List.of(b("/usr/bin/printf"), b("%s\\0"), b("plain"), b("+JAVA_TOOL_OPTIONS=looks like ours"),
                b("/opt/jinit/lib/launch/jvm"), b("\u00ff\u00fe not UTF-8"), b(""), b("with\nnewline"), b("--"), b("-v"));
        List<String> got = entries(run(List.of(b("PATH=/usr/bin:/bin")), args));
        assertThat(got).containsExactly("plain", "+JAVA_TOOL_OPTIONS=looks like ours", "/opt/jinit/lib/launch/jvm",
                "\u00ff\u00fe not UTF-8", "", "with\nnewline", "--", "-v");
    }

    @Test
    void theProcessAttributesTheInitWasGivenReachTheMainCommand() throws Exception {
        String preamble = """
                import resource
                resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 4096))
                resource.setrlimit(resource.RLIMIT_CORE, (0, 1000))
                os.umask(0o027)
                os.nice(7)
                os.sched_setaffinity(0, {0})
                open('/proc/self/oom_score_adj', 'w').write('300')
                os.chdir('/tmp')
                """;
        String report = "echo \"$(ulimit -Sn)/$(ulimit -Hn) $(grep 'Max core' /proc/self/limits | tr -s ' ' | cut -d' ' -f5,6)"
                + " $(umask) $(cut -d' ' -f19 /proc/self/stat) $(grep Cpus_allowed_list /proc/self/status | cut -f2)"
                + " $(cat /proc/self/oom_score_adj) $(pwd)\"";
        byte[] out = run(List.of(b("PATH=/usr/bin:/bin")), List.of(b("/bin/sh"), b("-c"), b(report)), preamble);
        assertThat(new String(out, StandardCharsets.ISO_8859_1).strip())
                .as("nofile soft/hard, core soft hard, umask, nice, CPUs, oom_score_adj, cwd")
                .isEqualTo("1024/4096 0 1000 0027 7 0 300 /tmp");
    }
}
