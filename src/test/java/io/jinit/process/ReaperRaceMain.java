package io.jinit.process;

import io.jinit.process.Signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reaper's race, forced (no signal may reach a reaped PID); run as PID 1 of its own PID namespace by
 * {@link ReaperRaceTest} ({@code unshare -p -f --mount-proc}), because it sets
 * {@code /proc/sys/kernel/ns_last_pid}.
 *
 * <p>Each round spawns {@code true}. When the reaper has seen it exit and before it records the
 * exit (the window: {@link Reaper#afterLook}), the hook asks the kernel to hand out the child's
 * PID next ({@code ns_last_pid = pid - 1}), spawns a victim ({@code sleep 30}) and signals the
 * exited child with USR1 through {@link ChildProcess#signal}. If the exited child's PID had been
 * freed, the victim would take it and die of USR1. Afterwards the victim is KILLed; its status
 * tells whether the USR1 reached it.
 *
 * <p>Prints {@code RACE rounds=N windows=W reused=R sent=S hits=H lost=L} (L: children or victims
 * whose exit was never reported, as when a reused PID's status goes to the wrong child; the run
 * stops at the first); exits 0 when H and L are 0, 1 otherwise.
 */
public final class ReaperRaceMain {
    private ReaperRaceMain() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Path nsLastPid = Path.of("/proc/sys/kernel/ns_last_pid");
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
        Reaper reaper = new Reaper();
        SignalFd.start(new SignalRouter(new Abort(), reaper, (signal, decision) -> { }), System.err::println);
        AtomicInteger windows = new AtomicInteger();
        AtomicInteger reused = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<ChildProcess> victim = new AtomicReference<>();
        AtomicReference<Throwable> hookError = new AtomicReference<>();
        reaper.afterLook(pid -> {
            try {
                Optional<ChildProcess> exited = reaper.child(pid).filter(c -> c.name().equals("true"));
                if (exited.isEmpty()) return;
                windows.incrementAndGet();
                Files.writeString(nsLastPid, Integer.toString(pid - 1));
                ChildProcess v = reaper.spawn(Command.of(List.of("sleep", "30"), env));
                if (v.pid() == pid) reused.incrementAndGet();
                if (exited.get().signal(Signal.USR1, false)) sent.incrementAndGet();
                victim.set(v);
            } catch (Throwable t) {
                hookError.compareAndSet(null, t);
            }
        });
        int hits = 0;
        int lost = 0;
        for (int i = 0; i < rounds; i++) {
            ChildProcess c = reaper.spawn(Command.of(List.of("true"), env));
            // a child whose status went to the process that reused its PID never completes
            if (c.waitFor(Duration.ofSeconds(10)).isEmpty()) lost++;
            ChildProcess v = victim.getAndSet(null);
            if (v == null) continue;
            v.signal(Signal.KILL, false);
            Optional<WaitStatus> s = v.waitFor(Duration.ofSeconds(10));
            if (s.isEmpty()) lost++;
            else if (s.get() instanceof WaitStatus.Signaled(int signal, boolean core) && signal == Signal.USR1.number()) hits++;
            if (lost > 0) break;
        }
        if (hookError.get() != null) {
            hookError.get().printStackTrace();
            System.exit(3);
        }
        System.out.printf("RACE rounds=%d windows=%d reused=%d sent=%d hits=%d lost=%d%n",
                rounds, windows.get(), reused.get(), sent.get(), hits, lost);
        System.exit(hits == 0 && lost == 0 ? 0 : 1);
    }
}
