package io.jinit.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.InitRoot;
import io.jinit.it.MyInitRun;
import io.jinit.it.MyInitRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 4, security: {@code --enable-insecure-key} is the only path that touches SSH keys.
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
        Result r = boot(false);
        assertThat(r.logLines()).as(r::describe).noneMatch(l -> l.toLowerCase().contains("insecure"));
        Storm.report("insecure key: boot without --enable-insecure-key", "1 boot", true,
                "usr/sbin/enable_insecure_key not run; root/.ssh and etc/insecure_key* unchanged");
    }

    @Test
    void withTheOptionTheScriptRunsOnce() throws Exception {
        Result r = boot(true);
        assertThat(r.logLines()).as(r::describe).contains("*** Installing insecure SSH key for user root");
        Storm.report("insecure key: boot with --enable-insecure-key", "1 boot", true,
                "usr/sbin/enable_insecure_key ran once; the init itself touched no key file");
    }

    private Result boot(boolean enable) throws IOException, InterruptedException {
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
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.read(root.out("startup"))).as("the boot ran the startup script\n" + r.describe()).isEqualTo("hello\n");
        assertThat(InitRoot.lines(log)).as("runs of usr/sbin/enable_insecure_key\n" + r.describe())
                .isEqualTo(enable ? java.util.List.of("ran 0") : java.util.List.of());
        assertThat(snapshot(root)).as("root/.ssh and etc/insecure_key* after the boot\n" + r.describe()).isEqualTo(before);
        return r;
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
