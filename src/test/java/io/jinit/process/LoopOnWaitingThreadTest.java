package io.jinit.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The init's way of running its event loop: no thread of its own, the thread that waits takes the
 * loop's turns ({@link Abort#runLoopWhileWaiting}, {@link SignalFd#turn}). Real children of the
 * test JVM, whose every thread blocks SIGCHLD (surefire starts it through
 * {@code src/test/sigchld-blocked/bin/java}); no other signalfd is open, so only this thread's
 * waits can read the SIGCHLD and reap.
 */
@Timeout(60)
class LoopOnWaitingThreadTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

    @Test
    void aWaitOnTheLoopsThreadReapsTheChildItWaitsFor() throws Exception {
        Reaper reaper = new Reaper();
        Abort abort = new Abort();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        try (SignalFd loop = SignalFd.open(new SignalRouter(abort, reaper, (signal, decision) -> { }), errors::add)) {
            abort.runLoopWhileWaiting(loop);
            for (int code : new int[] {3, 0, 7}) {
                ChildProcess child = reaper.spawn(Command.of(List.of("sh", "-c", "sleep 0.2; exit " + code), ENV));
                // no poll: only a turn of the loop (its SIGCHLD) can end this wait early
                assertThat(abort.await(() -> child.status().isPresent(), Duration.ofSeconds(20), null))
                        .as("child exiting %d reaped by the waiting thread's turns", code).isTrue();
                assertThat(child.status()).contains(new WaitStatus.Exited(code));
            }
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void isRequestedByNowHandlesWhatIsPendingWithoutWaiting() throws Exception {
        Reaper reaper = new Reaper();
        Abort abort = new Abort();
        try (SignalFd loop = SignalFd.open(new SignalRouter(abort, reaper, (signal, decision) -> { }), line -> { })) {
            abort.runLoopWhileWaiting(loop);
            ChildProcess child = reaper.spawn(Command.of(List.of("true"), ENV));
            // a zombie whose SIGCHLD is pending in the signalfd: nothing has read it yet
            Path stat = Path.of("/proc", Integer.toString(child.pid()), "stat");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!zombie(stat) && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(zombie(stat)).as("the child exited and is not reaped yet").isTrue();
            assertThat(child.status()).isEmpty();

            assertThat(abort.isRequestedByNow()).isFalse();
            assertThat(child.status()).as("the pending SIGCHLD was handled").contains(new WaitStatus.Exited(0));
        }
    }

    private static boolean zombie(Path stat) throws java.io.IOException {
        String s = Files.readString(stat);
        return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    }
}
