package io.jinit.it;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Signals (Linux x86_64 numbers) and a {@code kill(2)} of the test's own, so that the
 * tests do not depend on the product's libc boundary to observe the product.
 */
public enum Sig {
    HUP(1), INT(2), QUIT(3), ABRT(6), KILL(9), USR1(10), SEGV(11), USR2(12),
    ALRM(14), TERM(15), CONT(18), WINCH(28);

    /** The signal number. */
    final int number;

    Sig(int number) {
        this.number = number;
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    @SuppressWarnings("restricted") // kill(2) by FFM; failsafe runs with --enable-native-access
    private static final MethodHandle KILL_MH = LINKER.downcallHandle(
            LINKER.defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));

    /**
     * Sends this signal to one process.
     *
     * @param pid a PID as seen from the test's PID namespace (must be &gt; 0)
     * @return true if the signal was sent, false if no such process (ESRCH)
     * @throws IllegalStateException for any other error
     */
    public boolean send(long pid) {
        return send(pid, number);
    }

    /**
     * Sends a signal by number to one process.
     *
     * @param pid a PID &gt; 0 (never a group or -1: the tests must not hit the host)
     * @param signal the signal number (0 probes existence)
     * @return true if sent, false on ESRCH
     */
    static boolean send(long pid, int signal) {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int rc = (int) KILL_MH.invokeExact(state, (int) pid, signal);
            if (rc == 0) {
                return true;
            }
            int errno = (int) ERRNO.get(state, 0L);
            if (errno == 3) { // ESRCH
                return false;
            }
            throw new IllegalStateException("kill(" + pid + ", " + signal + ") failed, errno " + errno);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
