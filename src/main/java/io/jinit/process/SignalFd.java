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
 * The init's one event loop, as tini's and catatonit's: a {@code signalfd(2)} that receives every
 * signal the init reads ({@link SignalPolicy#readMask}, SIGCHLD among them), each handed to the
 * {@link SignalRouter}: SIGCHLD reaps ({@link Reaper#reap}), TERM and INT abort, the rest are
 * forwarded or dropped. So reaping and forwarding never race, and an idle init makes no wake-up.
 *
 * <p>In the init the loop has no thread of its own ({@link #open}): the thread that waits runs it.
 * Every wait of the init's main thread is {@link Abort#await}, which, instead of sleeping, takes
 * {@link #turn}s of the loop ({@code ppoll(2)} on the signalfd up to the wait's next deadline,
 * then one signal read and handled), so the main thread is the loop and an idle init is one thread
 * blocked in {@code ppoll(2)}. Signals that arrive while the main thread is busy (writing the
 * environment files, spawning) stay pending in the signalfd until its next wait. Tests and tools
 * that want the loop in the background use {@link #start}: a daemon thread {@code jinit-loop}
 * that takes turns for ever.
 *
 * <p>It works only in a JVM whose every thread blocks those signals: the launcher
 * ({@code bin/my_init}) starts the JVM with every signal blocked and {@code -Xrs} (so HotSpot
 * installs no handler for them and unblocks only its own: ILL, BUS, FPE, SEGV and its
 * suspend/resume signal), and a JVM started otherwise re-executes itself so. Signals that arrived
 * before {@link #open} are pending and are read first.
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
    private final SignalRouter router;
    private final Consumer<String> errors;
    private final int self;
    /** The background thread of {@link #start}; null for a loop run by the waiting thread ({@link #open}). */
    private final Thread thread;
    private volatile boolean closed;

    private SignalFd(int fd, SignalRouter router, Consumer<String> errors, boolean background) {
        this.fd = fd;
        this.router = router;
        this.errors = errors;
        this.self = Libc.getpid();
        this.thread = background ? Thread.ofPlatform().name("jinit-loop").daemon(true).unstarted(this::loop) : null;
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
     * Opens the signalfd of a loop that the waiting thread runs: hand it to
     * {@link Abort#runLoopWhileWaiting} on the thread that waits (the init's main thread).
     * Nothing is read until the first {@link #turn}.
     *
     * @param router receives every signal read
     * @param errors receives one line for each failure of a read or of a signal's handling
     * @return the loop, not running yet
     * @throws io.jinit.posix.PosixException if the signalfd cannot be created (e.g. EMFILE)
     */
    public static SignalFd open(SignalRouter router, Consumer<String> errors) {
        return new SignalFd(Libc.signalfd(mask()), router, errors, false);
    }

    /**
     * Opens the signalfd and starts the loop's daemon thread {@code jinit-loop}, which reads it for
     * the rest of the process's life (or until {@link #close}).
     *
     * @param router receives every signal read
     * @param errors receives one line for each failure of a read or of a signal's handling
     * @return the running loop
     * @throws io.jinit.posix.PosixException if the signalfd cannot be created
     */
    public static SignalFd start(SignalRouter router, Consumer<String> errors) {
        SignalFd loop = new SignalFd(Libc.signalfd(mask()), router, errors, true);
        loop.thread.start();
        return loop;
    }

    /**
     * One turn of the loop on the calling thread: waits up to {@code maxNanos} for a signal
     * ({@code ppoll(2)}), then reads one and hands it to the router. Returns early when a signal
     * was handled, so the caller can look at what it changed (a child reaped, an abort requested).
     * Only one thread may take turns (the one given to {@link Abort#runLoopWhileWaiting}).
     *
     * @param maxNanos how long to wait for a signal at most, in ns; {@link Long#MAX_VALUE} for no
     *                 limit, 0 to only handle a signal that is pending now
     * @return true when a signal was read (and handled, or its handling reported); false when none
     *     came within {@code maxNanos}
     */
    public boolean turn(long maxNanos) {
        if (closed) {
            // nothing to read any more (tests): wait as asked, bounded, instead of spinning
            pause();
            return false;
        }
        boolean readable;
        try {
            readable = Libc.awaitReadable(fd, maxNanos);
        } catch (RuntimeException e) {
            report("Waiting for the signalfd failed (" + e.getMessage() + "); waiting again.");
            pause();
            return false;
        }
        if (!readable || closed) return false;
        readAndHandle();
        return true;
    }

    private void loop() {
        while (!closed) readAndHandle();
        Libc.close(fd);
    }

    /** Reads one signal (blocking until one is pending) and handles it; never throws. */
    private void readAndHandle() {
        int number;
        try {
            Libc.SignalInfo info = Libc.readSignalInfo(fd);
            // a SEGV, BUS, FPE or ILL sent with kill(2) arrives relayed through 63 (FaultRelay)
            number = FaultRelay.relayed(info, self).orElse(info.signo());
        } catch (RuntimeException e) {
            // never seen; keep the only way TERM reaches the init alive, without spinning
            report("Reading the signalfd failed (" + e.getMessage() + "); reading again.");
            pause();
            return;
        }
        if (closed) return;
        try {
            router.deliver(number);
        } catch (Throwable e) {
            report("Handling " + Signal.nameOf(number) + " failed (" + e + "); going on.");
            if (number == Signal.CHLD.number()) {
                // the exits it stood for may not all be reaped: ask for another pass, without spinning
                pause();
                Libc.kill(self, number);
            }
        }
    }

    private void report(String line) {
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
     * Ends the loop (tests: the init's loop lives as long as the process). A background loop
     * ({@link #start}) reads one more signal, a SIGCHLD sent to this process now, and closes the
     * descriptor; waits up to 1 s for it. A loop of {@link #open} closes the descriptor at once
     * (call it from the thread that takes the turns).
     */
    @Override
    public void close() {
        closed = true;
        if (thread == null) {
            Libc.close(fd);
            return;
        }
        Libc.kill(self, Signal.CHLD.number());
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
