package io.jinit.process;

import io.jinit.posix.Errno;
import io.jinit.posix.PosixException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real children of the test JVM, reaped by one Reaper driven by the init's one loop
 * ({@link SignalFd}: the only waitpid caller while it runs). The test JVM runs with SIGCHLD
 * blocked in every thread (surefire starts it through {@code src/test/sigchld-blocked/bin/java}),
 * as the launcher starts the init's.
 */
@Timeout(60)
class ReaperTest {
    private static Reaper reaper;
    private static SignalRouter router;
    private static SignalFd loop;
    private static final List<String> loopErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

    @BeforeAll
    static void start() {
        reaper = new Reaper();
        router = new SignalRouter(new Abort(), reaper, (signal, decision) -> { });
        loop = SignalFd.start(router, loopErrors::add);
    }

    @AfterAll
    static void stop() {
        loop.close();
    }

    /**
     * The loop survives a signal whose handling throws: one line, and it goes on: the SIGCHLD whose
     * pass failed is asked for again, and later children are reaped as usual.
     */
    @Test
    void theLoopReportsAFailedDeliveryAndGoesOn() throws Exception {
        loopErrors.clear();
        router.injectFailures(1);
        ChildProcess first = spawn("true");
        assertThat(first.waitFor(Duration.ofSeconds(10))).contains(new WaitStatus.Exited(0));
        ChildProcess second = spawn("sh", "-c", "exit 3");
        assertThat(second.waitFor(Duration.ofSeconds(10))).contains(new WaitStatus.Exited(3));
        assertThat(loopErrors).hasSize(1).allSatisfy(line -> assertThat(line)
                .startsWith("Handling SIGCHLD failed (java.lang.IllegalStateException: injected failure")
                .endsWith("going on."));
    }

    private static ChildProcess spawn(String... argv) throws CannotExecuteException {
        return reaper.spawn(Command.of(List.of(argv), ENV));
    }

    /** A wait that fails with an errno other than ECHILD is reported, and reaping goes on. */
    @Test
    void theReaperReportsAFailedWaitAndGoesOn() throws Exception {
        List<String> reports = java.util.Collections.synchronizedList(new ArrayList<>());
        reaper.reportErrorsTo(reports::add);
        try {
            reaper.injectWaitFailures(3, Errno.EINVAL);
            ChildProcess c = spawn("sh", "-c", "exit 7");
            assertThat(c.waitFor(Duration.ofSeconds(10))).contains(new WaitStatus.Exited(7));
            assertThat(reports).hasSize(3).allSatisfy(r -> assertThat(r)
                    .startsWith("The reaper's waitpid failed (waitpid: Invalid argument (errno 22))")
                    .endsWith("it goes on reaping."));
            // and it goes on after that, with children that exit later too
            assertThat(spawn("sh", "-c", "sleep 0.2; exit 8").waitFor(Duration.ofSeconds(10)))
                    .contains(new WaitStatus.Exited(8));
        } finally {
            reaper.reportErrorsTo(r -> System.err.println("*** " + r));
        }
    }

    @Test
    void statusZeroIsAStatus() throws Exception {
        assertThat(spawn("true").waitFor()).isEqualTo(new WaitStatus.Exited(0));
    }

    @Test
    void childReapedBeforeAnyoneAskedKeepsItsStatus() throws Exception {
        ChildProcess c = spawn("sh", "-c", "exit 5");
        Thread.sleep(500);
        assertThat(c.status()).contains(new WaitStatus.Exited(5));
        assertThat(c.waitFor()).isEqualTo(new WaitStatus.Exited(5));
        assertThat(c.waitFor()).isEqualTo(new WaitStatus.Exited(5));
    }

    @Test
    void signalDeathDecodesTo128PlusSignal() throws Exception {
        WaitStatus s = spawn("sh", "-c", "kill -TERM $$").waitFor();
        assertThat(s).isEqualTo(new WaitStatus.Signaled(15, false));
        assertThat(s.exitStatus()).isEqualTo(143);
        assertThat(s.describe()).isEqualTo("signal SIGTERM (15)");
    }

    @Test
    void waitingForAPidThatIsNotOurChildFailsAtOnce() throws Exception {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> reaper.waitFor(1)).isInstanceOfSatisfying(PosixException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ECHILD));
        ChildProcess done = spawn("true");
        done.waitFor();
        assertThatThrownBy(() -> reaper.waitFor(done.pid())).isInstanceOf(PosixException.class);
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void aReapedChildIsNeverSignalledAgain() throws Exception {
        ChildProcess c = spawn("true");
        c.waitFor();
        assertThat(c.signal(io.jinit.process.Signal.KILL, false)).isFalse();
    }

    @Test
    void missingProgramIs127AndNotExecutableIs126WithReasons(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> spawn("/no/such/cmd")).isInstanceOfSatisfying(CannotExecuteException.class, e -> {
            assertThat(e.exitStatus()).isEqualTo(127);
            assertThat(e.getMessage()).isEqualTo("/no/such/cmd: No such file or directory");
        });
        assertThatThrownBy(() -> spawn("no-such-cmd-on-path")).isInstanceOfSatisfying(CannotExecuteException.class,
                e -> assertThat(e.exitStatus()).isEqualTo(127));
        Path plain = Files.writeString(dir.resolve("plain"), "#!/bin/sh\nexit 0\n");
        assertThatThrownBy(() -> spawn(plain.toString())).isInstanceOfSatisfying(CannotExecuteException.class, e -> {
            assertThat(e.exitStatus()).isEqualTo(126);
            assertThat(e.getMessage()).endsWith("Permission denied");
        });
        assertThatThrownBy(() -> spawn(dir.toString())).isInstanceOfSatisfying(CannotExecuteException.class,
                e -> assertThat(e.exitStatus()).isEqualTo(126));
    }

    @Test
    void fileWithoutShebangRunsThroughBinSh(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("noshebang"), "exit 4\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(spawn(script.toString()).waitFor()).isEqualTo(new WaitStatus.Exited(4));
    }

    @Test
    void programIsLookedUpOnTheCommandsOwnPath(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("only-here"), "#!/bin/sh\nexit 6\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ChildProcess c = reaper.spawn(Command.of(List.of("only-here"), Map.of("PATH", dir + ":/usr/bin:/bin")));
        assertThat(c.waitFor()).isEqualTo(new WaitStatus.Exited(6));
    }

    @Test
    void childHasOnlyStdioOpenAndACleanSignalState() throws Exception {
        ChildProcess c = spawn("sleep", "5");
        try {
            Thread.sleep(300); // past sleep's own start-up, which opens and closes locale files
            List<String> fds = new ArrayList<>();
            try (var s = Files.list(Path.of("/proc", String.valueOf(c.pid()), "fd"))) {
                s.forEach(p -> {
                    String target;
                    try {
                        target = Files.readSymbolicLink(p).toString();
                    } catch (java.io.IOException e) {
                        target = "?";
                    }
                    fds.add(p.getFileName().toString() + (Integer.parseInt(p.getFileName().toString()) > 2 ? "->" + target : ""));
                });
            }
            assertThat(fds).containsExactlyInAnyOrder("0", "1", "2");
            String status = Files.readString(Path.of("/proc", String.valueOf(c.pid()), "status"));
            assertThat(status).containsPattern("(?m)^SigBlk:\\s+0+$").containsPattern("(?m)^SigIgn:\\s+0+$");
        } finally {
            c.signal(io.jinit.process.Signal.KILL, false);
            c.waitFor();
        }
    }

    @Test
    void everyChildLeadsItsOwnProcessGroup() throws Exception {
        ChildProcess c = reaper.spawn(Command.of(List.of("sleep", "5"), ENV));
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(c.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertThat(Integer.parseInt(f[2])).isEqualTo(c.pid());
        } finally {
            c.signal(io.jinit.process.Signal.KILL, true);
            assertThat(c.waitFor()).isEqualTo(new WaitStatus.Signaled(9, false));
        }
    }

    @Test
    void manyConcurrentSpawnsEachGetTheirOwnStatus() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<WaitStatus>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int code = i % 100;
                futures.add(pool.submit(() -> spawn("sh", "-c", "exit " + code).waitFor()));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(new WaitStatus.Exited(i % 100));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void awaitNoChildrenReturnsOnceAllAreReaped() throws Exception {
        List<ChildProcess> kids = new ArrayList<>();
        for (int i = 0; i < 5; i++) kids.add(spawn("sleep", "0.2"));
        assertThat(reaper.awaitNoChildren(Duration.ofSeconds(10))).isTrue();
        assertThat(kids).allSatisfy(k -> assertThat(k.status()).contains(new WaitStatus.Exited(0)));
        ChildProcess longer = spawn("sleep", "3");
        assertThat(reaper.awaitNoChildren(Duration.ofMillis(300))).isFalse();
        longer.signal(io.jinit.process.Signal.KILL, false);
        longer.waitFor();
    }

    @Test
    void killableCommandStopsWithTermThenKillAfterTheTimeout() throws Exception {
        Abort abort = new Abort();
        List<String> events = new ArrayList<>();
        KillableCommand commands = new KillableCommand(reaper, abort, Duration.ofMillis(500), new KillableCommand.StopObserver() {
            @Override
            public void stopping(String name, ChildProcess child) {
                events.add("stopping " + name);
            }

            @Override
            public void forcing(String name, ChildProcess child) {
                events.add("forcing " + name);
            }
        });
        ChildProcess polite = commands.start(Command.of(List.of("sleep", "30"), ENV));
        assertThat(commands.stop(polite, "polite", io.jinit.process.Signal.TERM, false))
                .isEqualTo(new WaitStatus.Signaled(15, false));
        ChildProcess stubborn = commands.start(Command.of(List.of("sh", "-c", "trap '' TERM; sleep 30 & wait; sleep 30"), ENV));
        Thread.sleep(200);
        long t0 = System.nanoTime();
        assertThat(commands.stop(stubborn, "stubborn", io.jinit.process.Signal.TERM, false))
                .isEqualTo(new WaitStatus.Signaled(9, false));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
        assertThat(events).containsExactly("stopping polite", "stopping stubborn", "forcing stubborn");
        assertThat(reaper.awaitNoChildren(Duration.ofSeconds(40))).isTrue();
    }

    @Test
    void awaitEndsWithAbortedExceptionWhenAnAbortIsRequested() throws Exception {
        Abort abort = new Abort();
        KillableCommand commands = new KillableCommand(reaper, abort, Duration.ofSeconds(1), new KillableCommand.StopObserver() {
            @Override
            public void stopping(String name, ChildProcess child) {}

            @Override
            public void forcing(String name, ChildProcess child) {}
        });
        ChildProcess c = commands.start(Command.of(List.of("sleep", "30"), ENV));
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
            }
            abort.request(io.jinit.process.Signal.TERM);
            abort.request(io.jinit.process.Signal.INT);
        });
        assertThatThrownBy(() -> commands.await(c)).isInstanceOfSatisfying(AbortedException.class,
                e -> assertThat(e.signal()).isEqualTo(io.jinit.process.Signal.TERM));
        assertThat(commands.stop(c, "sleep", io.jinit.process.Signal.TERM, false).exitStatus()).isEqualTo(143);
    }

    @Test
    void waitStatusDecodesGlibcEncoding() {
        assertThat(WaitStatus.decode(0)).isEqualTo(new WaitStatus.Exited(0));
        assertThat(WaitStatus.decode(3 << 8)).isEqualTo(new WaitStatus.Exited(3));
        assertThat(WaitStatus.decode(9)).isEqualTo(new WaitStatus.Signaled(9, false));
        assertThat(WaitStatus.decode(0x80 | 11)).isEqualTo(new WaitStatus.Signaled(11, true));
        assertThatThrownBy(() -> WaitStatus.decode(0x137f)).isInstanceOf(IllegalArgumentException.class);
    }
}
