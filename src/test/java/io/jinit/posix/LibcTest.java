package io.jinit.posix;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /** Resident kB of the mapping of this process that starts at {@code address} (/proc/self/smaps). */
    private static long residentKb(long address) throws IOException {
        String start = Long.toHexString(address) + "-";
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) in = line.startsWith(start);
            else if (in && line.startsWith("Rss:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new AssertionError("no mapping at " + start);
    }

    @Test
    void madvisePageoutTakesCleanFilePagesOutOfTheResidentSet(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = dir.resolve("pages");
        int size = 1 << 20;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[size]).put(0, (byte) 1));
            ch.force(true); // clean pages: dirty ones are never paged out
        }
        try (FileChannel ch = FileChannel.open(file); Arena arena = Arena.ofConfined()) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long sum = 0;
            for (long i = 0; i < size; i += 4096) sum += m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
            assertThat(sum).isEqualTo(1);
            assertThat(residentKb(m.address())).as("resident after reading every page").isGreaterThanOrEqualTo(size / 1024 / 2);

            assertThat(Libc.madvise(new long[] {m.address()}, new long[] {size}, Libc.MADV_PAGEOUT)).isEqualTo(1);

            assertThat(residentKb(m.address())).as("resident kB after MADV_PAGEOUT").isLessThan(size / 1024 / 8);
        }
    }

    @Test
    void madviseSkipsUnmappedRangesAndRefusesUnknownAdvice() {
        long unmapped = 4096; // page 1 is never mapped (vm.mmap_min_addr)
        assertThat(Libc.madvise(new long[] {unmapped}, new long[] {4096}, Libc.MADV_PAGEOUT)).isZero();
        assertThatThrownBy(() -> Libc.madvise(new long[] {unmapped}, new long[] {4096}, 12345))
                .isInstanceOfSatisfying(PosixException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
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
