package io.jinit.boot;

import io.jinit.process.InitProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: a fault that the PID-1 tests inject to prove the point of no return ({@link Phase}).
 * Read once from the system property {@value #PROPERTY}, {@code WHERE:KIND}:
 * <ul>
 *   <li>WHERE: a phase's name as the log has it ({@code boot}, {@code env}, {@code startup},
 *   {@code runit}, {@code main}, {@code shutdown}, {@code exit}: at the phase's start), or
 *   {@code runit.running} (runsvdir runs), {@code main.running} (the main command runs), or
 *   {@code start} (before the first phase: options parsed, nothing started);</li>
 *   <li>KIND: {@code runtime} (an {@link IllegalStateException}), {@code oom} (the heap filled
 *   until a real {@link OutOfMemoryError}), {@code stack} (recursion until a real
 *   {@link StackOverflowError}), {@code thread} (starts one platform thread: under a process limit,
 *   the real "unable to create native thread"), {@code segv} (a real SIGSEGV, a read of address 8:
 *   HotSpot's crash report on stderr, exit 1; FaultSignalsIT).</li>
 * </ul>
 * An optional {@code @FILE} after KIND makes the fault wait (up to 30 s) until FILE exists, so
 * that a test can have the main command or a service ready first.
 * Production never sets it: the launcher ({@code lib/launch/jvm}) passes the JVM no {@code -D}
 * option and keeps the container's {@code JAVA_TOOL_OPTIONS} away from it.
 */
public final class InjectedFault {
    /** The system property the tests set. */
    static final String PROPERTY = "jinit.test.fault";

    private static final String SPEC = System.getProperty(PROPERTY, "");
    private static final int AT = SPEC.indexOf('@');
    /** WHERE:KIND, without the gate. */
    private static final String FAULT = AT < 0 ? SPEC : SPEC.substring(0, AT);
    /** The file the fault waits for, or null. */
    private static final Path GATE = AT < 0 ? null : Path.of(SPEC.substring(AT + 1));

    private InjectedFault() {}

    /**
     * Throws the injected fault if it is set for {@code where}; does nothing otherwise.
     *
     * @param where the place, e.g. {@code "startup"} or {@code "main.running"}
     */
    public static void at(String where) {
        if (FAULT.isEmpty() || !FAULT.equals(where + ":" + kind())) return;
        awaitGate();
        switch (kind()) {
            case "runtime" -> throw new IllegalStateException("injected fault at " + where);
            case "oom" -> fillHeap();
            case "stack" -> recurse(0);
            case "thread" -> startThread();
            case "segv" -> InitProcess.faultForTest();
            default -> throw new IllegalArgumentException(PROPERTY + ": unknown kind in " + SPEC);
        }
    }

    private static String kind() {
        return FAULT.substring(FAULT.lastIndexOf(':') + 1);
    }

    private static void awaitGate() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        try {
            while (GATE != null && !Files.exists(GATE) && System.nanoTime() < deadline) Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fillHeap() {
        List<long[]> hog = new ArrayList<>();
        while (true) hog.add(new long[1 << 16]);
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private static void startThread() {
        try {
            Thread.ofPlatform().name("jinit-injected").start(() -> { }).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
