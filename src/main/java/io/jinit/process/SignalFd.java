package io.jinit.process;

import io.jinit.posix.FaultRelay;
import io.jinit.posix.Libc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The init's only signal intake: a {@code signalfd(2)}. It works only in a JVM started with
 * {@link #SIGNALS} blocked in its first thread and {@code -Xrs} (so HotSpot installs no handler
 * for them and unblocks none of them in the threads it creates): the launcher
 * ({@code bin/my_init}) starts it so, and a JVM started otherwise re-executes itself so. Signals
 * that arrived before {@link #start} are pending and are read first. A platform thread blocks in
 * {@code read(2)} on the descriptor and hands each signal to the {@link SignalRouter}: TERM and
 * INT abort, QUIT and the forwarded signals go to the target. TTIN and TTOU are read and
 * dropped: while blocked they count as ignored for terminal I/O ({@code tty_check_change}), so
 * the init is never stopped.
 */
public final class SignalFd {
    /** Every signal received through the descriptor (and blocked in every thread of the init). */
    public static final List<Signal> SIGNALS = List.of(Signal.HUP, Signal.INT, Signal.QUIT, Signal.USR1, Signal.USR2,
            Signal.ALRM, Signal.TERM, Signal.CONT, Signal.TSTP, Signal.TTIN, Signal.TTOU, Signal.WINCH);

    private SignalFd() {}

    /**
     * @return {@link #SIGNALS} and {@link FaultRelay#RELAY} (which carries a fault signal someone sent)
     *     as a bit set, bit {@code n-1} for signal {@code n}
     */
    public static long mask() {
        long m = 1L << (FaultRelay.RELAY - 1);
        for (Signal s : SIGNALS) m |= 1L << (s.number() - 1);
        return m;
    }

    /**
     * Looks at every thread of this process ({@code SigBlk:} of {@code /proc/self/task/<tid>/status}).
     *
     * @return a description of each thread that does not block all of {@link #SIGNALS} (empty when all do)
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
     * Opens the signalfd and starts the daemon thread that reads it for the rest of the process's life.
     *
     * @param router receives every signal read (TTIN and TTOU excepted)
     * @throws io.jinit.posix.PosixException if the signalfd cannot be created
     */
    public static void start(SignalRouter router) {
        int fd = Libc.signalfd(mask());
        int self = Libc.getpid();
        Thread.ofPlatform().name("jinit-signalfd").daemon(true).start(() -> {
            while (true) {
                int number;
                try {
                    Libc.SignalInfo info = Libc.readSignalInfo(fd);
                    // a SEGV, BUS, FPE or ILL sent with kill(2) arrives relayed (FaultRelay)
                    number = FaultRelay.relayed(info, self).orElse(info.signo());
                } catch (RuntimeException e) {
                    // never seen; keep the only way TERM reaches the init alive, without spinning
                    System.err.println("*** my_init: reading the signalfd failed: " + e.getMessage());
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException stop) {
                        return;
                    }
                    continue;
                }
                Signal.ofNumber(number).ifPresent(s -> {
                    if (s != Signal.TTIN && s != Signal.TTOU) router.deliver(s);
                });
            }
        });
    }
}
