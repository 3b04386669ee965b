package io.jinit.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Security: {@code --enable-insecure-key} is the only path that touches SSH keys.
 * A full boot (env, startup script, runit, main command, shutdown) without the option never
 * runs {@code <root>/usr/sbin/enable_insecure_key} and leaves {@code <root>/root/.ssh} and
 * {@code <root>/etc/insecure_key*} exactly as they were (listing, size, mode, inode, mtime,
 * ctime); with it the script runs exactly once, and the init itself still touches none of
 * those files (the fake script only records that it ran).
 */
@Timeout(90)
@Execution(ExecutionMode.CONCURRENT)
class InsecureKeyIT {
    @TempDir
    Path tmp;

    @Test
    void withoutTheOptionNoKeyIsTouched() throws Exception {
        Boot b = boot(false);
        boolean quiet = b.result().logLines().stream().noneMatch(l -> l.toLowerCase().contains("insecure"));
        report("insecure key: boot without --enable-insecure-key", b, 0, quiet);
        assertThat(quiet).as("no log line mentions the insecure key\n" + b.result().describe()).isTrue();
        b.assertAll(0);
    }

    @Test
    void withTheOptionTheScriptRunsOnce() throws Exception {
        Boot b = boot(true);
        boolean logged = b.result().logLines().contains("*** Installing insecure SSH key for user root");
        report("insecure key: boot with --enable-insecure-key", b, 1, logged);
        assertThat(logged).as(b.result().describe()).isTrue();
        b.assertAll(1);
    }

    /** One row with what this boot measured: the script's runs, the files compared, the changed ones. */
    private static void report(String check, Boot b, int expectedRuns, boolean logOk) {
        List<String> changed = b.changed();
        boolean pass = b.result().exitCode() == 0 && b.startupRan() && b.scriptRuns().size() == expectedRuns
                && changed.isEmpty() && logOk;
        Storm.report(check, "1 boot", pass, "enable_insecure_key ran " + b.scriptRuns().size() + " time(s) (expected "
                + expectedRuns + "); " + b.before().size() + " key files compared (size, mode, inode, mtime, ctime), "
                + changed.size() + " changed" + (changed.isEmpty() ? "" : " " + changed) + "; exit " + b.result().exitCode());
    }

    /** What one boot did: its result, the fake script's runs, the key files before and after. */
    private record Boot(Result result, boolean startupRan, List<String> scriptRuns, Map<String, String> before,
                        Map<String, String> after) {
        List<String> changed() {
            List<String> out = new java.util.ArrayList<>();
            for (String k : new java.util.TreeSet<>(union())) {
                if (!java.util.Objects.equals(before.get(k), after.get(k))) out.add(k);
            }
            return out;
        }

        private java.util.Set<String> union() {
            java.util.Set<String> u = new java.util.HashSet<>(before.keySet());
            u.addAll(after.keySet());
            return u;
        }

        void assertAll(int expectedRuns) {
            assertThat(result.exitCode()).as(result::describe).isZero();
            assertThat(startupRan).as("the boot ran the startup script\n" + result.describe()).isTrue();
            assertThat(scriptRuns).as("runs of usr/sbin/enable_insecure_key\n" + result.describe())
                    .isEqualTo(expectedRuns == 0 ? List.of() : List.of("ran 0"));
            assertThat(after).as("root/.ssh and etc/insecure_key* after the boot\n" + result.describe()).isEqualTo(before);
        }
    }

    private Boot boot(boolean enable) throws IOException, InterruptedException {
        InitRoot root = new InitRoot(tmp.resolve("root"));
        Path log = root.out("enable_insecure_key.log");
        InitRoot.sh(root.path().resolve("usr/sbin/enable_insecure_key"), "echo \"ran $#\" >> " + log);
        Path ssh = Files.createDirectories(root.path().resolve("root/.ssh"));
        Files.writeString(ssh.resolve("authorized_keys"), "ssh-ed25519 AAAA existing\n");
        Files.writeString(root.etc().resolve("insecure_key"), "private\n");
        Files.writeString(root.etc().resolve("insecure_key.pub"), "public\n");
        Files.writeString(root.etc().resolve("insecure_key.ppk"), "putty\n");
        InitRoot.sh(root.startupDir().resolve("10-hello"), "echo hello > " + root.out("startup"));
        root.service("svc", "exec sleep 100");
        Map<String, String> before = snapshot(root);
        Thread.sleep(20); // so that a rewrite would change mtime/ctime
        MyInitRun b = MyInitRun.in(root).mainSh("sleep 0.3; exit 0");
        if (enable) {
            b.options("--enable-insecure-key");
        }
        Result r = b.run();
        return new Boot(r, InitRoot.read(root.out("startup")).equals("hello\n"), InitRoot.lines(log), before, snapshot(root));
    }

    /** @return path to "size mode inode mtime ctime" of everything under root/root and etc/insecure_key* */
    private static Map<String, String> snapshot(InitRoot root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Stream.concat(Files.walk(root.path().resolve("root")),
                Files.list(root.etc()).filter(p -> p.getFileName().toString().startsWith("insecure_key")))) {
            for (Path p : s.toList()) {
                Map<String, Object> a = Files.readAttributes(p, "unix:size,mode,ino,lastModifiedTime,ctime",
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                m.put(root.path().relativize(p).toString(), a.get("size") + " " + Integer.toOctalString((Integer) a.get("mode"))
                        + " " + a.get("ino") + " " + a.get("lastModifiedTime") + " " + a.get("ctime"));
            }
        }
        return m;
    }
}
