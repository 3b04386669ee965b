package io.jinit.process;

import io.jinit.posix.FaultRelay;
import io.jinit.posix.Libc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The init's one event loop, as tini's and catatonit's: a platform thread blocks in
 * {@code read(2)} on a {@code signalfd(2)} that receives every signal the init reads
 * ({@link SignalPolicy#readMask}, SIGCHLD among them) and hands each to the
 * {@link SignalRouter}: SIGCHLD reaps ({@link Reaper#reap}), TERM and INT abort, the rest are
 * forwarded or dropped. So reaping and forwarding never race, and an idle init makes no wake-up.
 *
 * <p>It works only in a JVM whose every thread blocks those signals: the launcher
 * ({@code bin/my_init}) starts the JVM with every signal blocked and {@code -Xrs} (so HotSpot
 * installs no handler for them and unblocks only its own: ILL, BUS, FPE, SEGV and its
 * suspend/resume signal), and a JVM started otherwise re-executes itself so. Signals that arrived
 * before {@link #start} are pending and are read first.
 *
 * <p>The loop survives anything a signal's handling throws (a forward whose {@code kill(2)}
 * fails, an error): one line to the error sink, and it reads the next signal; a SIGCHLD whose
 * pass failed is asked for again (sent to this process) after {@link #READ_PAUSE}. A read that
 * fails is reported and retried after {@link #READ_PAUSE}, so it never spins.
 */
public final class SignalFd implements AutoCloseable {
    /** How long the loop pauses after a failed {@code read(2)} or reaping pass before it tries again. */
    public static final Duration READ_PAUSE = Duration.ofMillis(100);

    private final int fd;
    private final Thread thread;
    private volatile boolean closed;

    private SignalFd(int fd, SignalRouter router, Consumer<String> errors) {
        this.fd = fd;
        this.thread = Thread.ofPlatform().name("jinit-loop").daemon(true).unstarted(() -> loop(router, errors));
    }

    /** @return {@link SignalPolicy#readMask()}: the signals the loop reads, bit {@code n-1} for signal {@code n} */
    public static long mask() {
        return SignalPolicy.readMask();
    }

    /**
     * Looks at every thread of this process ({@code SigBlk:} of {@code /proc/self/task/<tid>/status}).
     *
     * @return a description of each thread that does not block all of {@link #mask()} (empty when all do)
     * @throws IOException if {@code /proc/self/task} cannot be listed
     */
    public static List<String> threadsNotBlocking() throws IOException {
        List<String> out = new ArrayList<>();
        long want = mask();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (!line.startsWith("SigBlk:")) continue;
                        long blocked = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                        if ((blocked & want) != want) {
                            out.add("thread " + task.getFileName() + " blocks " + Long.toHexString(blocked));
                        }
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /**
     * Opens the signalfd and starts the loop's daemon thread, which reads it for the rest of the
     * process's life (or until {@link #close}).
     *
     * @param router receives every signal read
     * @param errors receives one line for each failure of a read or of a signal's handling
     * @return the running loop
     * @throws io.jinit.posix.PosixException if the signalfd cannot be created
     */
    public static SignalFd start(SignalRouter router, Consumer<String> errors) {
        SignalFd loop = new SignalFd(Libc.signalfd(mask()), router, errors);
        loop.thread.start();
        return loop;
    }

    private void loop(SignalRouter router, Consumer<String> errors) {
        int self = Libc.getpid();
        while (!closed) {
            int number;
            try {
                Libc.SignalInfo info = Libc.readSignalInfo(fd);
                // a SEGV, BUS, FPE or ILL sent with kill(2) arrives relayed through 63 (FaultRelay)
                number = FaultRelay.relayed(info, self).orElse(info.signo());
            } catch (RuntimeException e) {
                // never seen; keep the only way TERM reaches the init alive, without spinning
                report(errors, "Reading the signalfd failed (" + e.getMessage() + "); reading again.");
                pause();
                continue;
            }
            if (closed) break;
            try {
                router.deliver(number);
            } catch (Throwable e) {
                report(errors, "Handling " + Signal.nameOf(number) + " failed (" + e + "); going on.");
                if (number == Signal.CHLD.number()) {
                    // the exits it stood for may not all be reaped: ask for another pass, without spinning
                    pause();
                    Libc.kill(Libc.getpid(), number);
                }
            }
        }
        Libc.close(fd);
    }

    private static void report(Consumer<String> errors, String line) {
        try {
            errors.accept(line);
        } catch (Throwable ignored) {
            // a broken sink must not end the loop either
        }
    }

    private static void pause() {
        try {
            Thread.sleep(READ_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends the loop (tests: the init's loop lives as long as the process): it reads one more
     * signal, a SIGCHLD sent to this process now, and closes the descriptor. Waits up to 1 s.
     */
    @Override
    public void close() {
        closed = true;
        Libc.kill(Libc.getpid(), Signal.CHLD.number());
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
