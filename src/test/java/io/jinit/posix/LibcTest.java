package io.jinit.posix;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real libc calls; spawned children are waited for directly with waitpid(pid) (no reaper runs here). */
class LibcTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int spawnAndWait(List<String> argv) {
        int pid = Libc.spawn(b(argv.getFirst()), argv.stream().map(LibcTest::b).toList(),
                List.of(b("PATH=/usr/bin:/bin")), Libc.SpawnOptions.PLAIN);
        try (var buf = new Libc.WaitBuffer()) {
            var w = Libc.waitpid(pid, 0, buf);
            assertThat(w.pid()).isEqualTo(pid);
            return w.status();
        }
    }

    @Test
    void getpidMatchesTheJvm() {
        assertThat(Libc.getpid()).isEqualTo((int) ProcessHandle.current().pid());
    }

    @Test
    void waitpidWithoutChildFailsAtOnceWithEchild() {
        try (var buf = new Libc.WaitBuffer()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Libc.waitpid(999_999, 0, buf))
                    .isInstanceOfSatisfying(PosixException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.ECHILD);
                        assertThat(e.getMessage()).contains("waitpid").contains("No child processes");
                    });
            assertThat(System.nanoTime() - t0).isLessThan(1_000_000_000L);
        }
    }

    @Test
    void spawnReturnsExitStatusInWaitEncoding() {
        assertThat(spawnAndWait(List.of("sh", "-c", "exit 7"))).isEqualTo(7 << 8);
        assertThat(spawnAndWait(List.of("sh", "-c", "kill -KILL $$")) & 0x7f).isEqualTo(9);
    }

    @Test
    void spawnOfMissingProgramReportsEnoent() {
        assertThatThrownBy(() -> spawnAndWait(List.of("/no/such/program")))
                .isInstanceOfSatisfying(PosixException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void killOfMissingProcessIsFalse() {
        assertThat(Libc.kill(999_999, 0)).isFalse();
        assertThat(Libc.kill(Libc.getpid(), 0)).isTrue();
    }

    @Test
    void environIsReadRawAndHasPath() {
        assertThat(Libc.environ()).anySatisfy(e -> assertThat(new String(e, StandardCharsets.UTF_8)).startsWith("PATH="));
    }

    @Test
    void fifoWithoutReaderIsReportedAsSuch() throws Exception {
        var dir = java.nio.file.Files.createTempDirectory("fifo");
        var fifo = dir.resolve("ok");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThat(Libc.fifoHasReader(fifo.toString())).isFalse();
        assertThat(Libc.writeFifo(fifo.toString(), new byte[] {'d'})).isFalse();
        assertThat(Libc.fifoHasReader(dir.resolve("missing").toString())).isFalse();
        Process reader = new ProcessBuilder("sh", "-c", "exec 3<" + fifo + "; sleep 5").start();
        try {
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!Libc.fifoHasReader(fifo.toString()) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(Libc.fifoHasReader(fifo.toString())).isTrue();
            assertThat(Libc.writeFifo(fifo.toString(), new byte[] {'d'})).isTrue();
        } finally {
            reader.destroyForcibly();
            reader.waitFor();
        }
    }
}
