package io.jinit.posix;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Keeps a fault signal that someone <em>sent</em> ({@code kill(1)}, {@code docker kill -s SEGV}:
 * {@code si_code ≤ 0}) from being taken for a crash of the JVM, while a real fault still reaches
 * HotSpot's handler (crash report, exit).
 *
 * <p>HotSpot handles SIGSEGV, SIGBUS, SIGFPE and SIGILL itself (implicit null checks, stack
 * banging) and unblocks them in every thread it starts, so they cannot be read from the signalfd,
 * and HotSpot takes every one it does not expect for a fatal error ({@code hs_err}, exit), a sent
 * one too. {@link #install} puts a 60-byte handler in front of HotSpot's for each of them
 * ({@code rt_sigaction(2)}; x86-64 machine code written into a page that is then made
 * read+execute, {@code mmap(2)}, {@code mprotect(2)}): when {@code si_code > 0} (the kernel
 * reports a fault) it jumps to HotSpot's handler with the same arguments, as if it were not
 * there; otherwise it queues {@link #RELAY} to this process ({@code rt_sigqueueinfo(2)},
 * {@code si_code = SI_QUEUE}, {@code si_pid} = this process, the value = the signal and the
 * sender's PID) and returns. {@code RELAY} is blocked in every thread and read from the signalfd,
 * where {@link #relayed} turns it back into the signal that was sent. No Java code runs in the
 * handler.
 */
public final class FaultRelay {
    private FaultRelay() {}

    /** The signal that carries a sent fault signal to the signalfd: SIGRTMAX-1. */
    public static final int RELAY = 63;
    /** The fault signals HotSpot handles itself: SIGILL, SIGBUS, SIGFPE, SIGSEGV. */
    public static final List<Integer> FAULT_SIGNALS = List.of(4, 7, 8, 11);

    /** The kernel's {@code struct sigaction} of {@code rt_sigaction(2)} on x86-64 (32 bytes). */
    static final StructLayout KERNEL_SIGACTION = MemoryLayout.structLayout(
            JAVA_LONG.withName("handler"), JAVA_LONG.withName("flags"), JAVA_LONG.withName("restorer"),
            JAVA_LONG.withName("mask")).withName("kernel_sigaction");
    private static final long HANDLER = offset("handler");
    private static final long FLAGS = offset("flags");

    private static final long SA_SIGINFO = 4;
    private static final int SI_QUEUE = -1;
    private static final long PAGE = 4096;
    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    private static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;
    private static final int NR_RT_SIGQUEUEINFO = 129;
    /** Bytes of stack the handler takes for the {@code siginfo_t} it queues (128, kept 16-aligned with the return address). */
    private static final int FRAME = 0x88;

    private static long offset(String field) {
        return KERNEL_SIGACTION.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * Puts the relay in front of HotSpot's handler for each of {@link #FAULT_SIGNALS}. Call once,
     * early, after the JVM has installed its handlers (it has by the time {@code main} runs).
     *
     * @param pid this process's PID ({@code getpid(2)}) in its namespace: where {@link #RELAY} is queued
     * @param uid this process's real user ID, for the queued {@code si_uid}
     * @return why the relay was not installed (not x86-64, the kernel refused a call, HotSpot's
     *     handler is not an {@code SA_SIGINFO} one), or empty when it was installed for every signal
     */
    public static Optional<String> install(int pid, int uid) {
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch"))) {
            return Optional.of("the fault-signal relay exists only for x86-64");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] current = new MemorySegment[FAULT_SIGNALS.size()];
            ByteArrayOutputStream code = new ByteArrayOutputStream();
            int[] entry = new int[FAULT_SIGNALS.size()];
            for (int i = 0; i < current.length; i++) {
                current[i] = arena.allocate(KERNEL_SIGACTION);
                Libc.rtSigaction(FAULT_SIGNALS.get(i), 0, current[i].address());
                long handler = current[i].get(JAVA_LONG, HANDLER);
                if ((current[i].get(JAVA_LONG, FLAGS) & SA_SIGINFO) == 0 || handler == 0 || handler == 1) {
                    return Optional.of("signal " + FAULT_SIGNALS.get(i) + " has no SA_SIGINFO handler of HotSpot's");
                }
                entry[i] = code.size();
                code.writeBytes(stub(handler, pid, uid));
            }
            long page = Libc.mapAnonymous(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
            byte[] bytes = code.toByteArray();
            MemorySegment.copy(bytes, 0, MemorySegment.ofAddress(page).reinterpret(PAGE), JAVA_BYTE, 0, bytes.length);
            Libc.protect(page, PAGE, PROT_READ | PROT_EXEC);
            for (int i = 0; i < current.length; i++) {
                // HotSpot's flags (SA_SIGINFO, SA_RESTART, SA_RESTORER...), restorer and mask; our entry
                current[i].set(JAVA_LONG, HANDLER, page + entry[i]);
                Libc.rtSigaction(FAULT_SIGNALS.get(i), current[i].address(), 0);
            }
            return Optional.empty();
        } catch (PosixException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The handler for one signal, x86-64 System V ({@code rdi} = signal, {@code rsi} = {@code siginfo_t *}):
     * <pre>
     *   mov eax, [rsi+8]; test eax, eax; jg real        ; si_code &gt; 0: a real fault
     *   sub rsp, 0x88                                   ; a siginfo_t on the stack:
     *   mov dword [rsp], RELAY; [rsp+4] = 0             ;   si_signo, si_errno
     *   mov dword [rsp+8], SI_QUEUE; [rsp+12] = 0       ;   si_code, padding
     *   mov dword [rsp+16], pid; [rsp+20] = uid         ;   si_pid, si_uid
     *   mov [rsp+24], edi; mov eax, [rsi+16]; mov [rsp+28], eax   ; si_value = signal | sender's PID &lt;&lt; 32
     *   rt_sigqueueinfo(pid, RELAY, rsp); add rsp, 0x88; ret
     * real:
     *   mov rax, HOTSPOT_HANDLER; jmp rax
     * </pre>
     */
    static byte[] stub(long hotspotHandler, int pid, int uid) {
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        bytes(user, 0x48, 0x81, 0xEC);
        int32(user, FRAME);
        bytes(user, 0xC7, 0x04, 0x24);
        int32(user, RELAY);
        bytes(user, 0xC7, 0x44, 0x24, 0x04);
        int32(user, 0);
        bytes(user, 0xC7, 0x44, 0x24, 0x08);
        int32(user, SI_QUEUE);
        bytes(user, 0xC7, 0x44, 0x24, 0x0C);
        int32(user, 0);
        bytes(user, 0xC7, 0x44, 0x24, 0x10);
        int32(user, pid);
        bytes(user, 0xC7, 0x44, 0x24, 0x14);
        int32(user, uid);
        bytes(user, 0x89, 0x7C, 0x24, 0x18);     // mov [rsp+24], edi
        bytes(user, 0x8B, 0x46, 0x10);           // mov eax, [rsi+16]
        bytes(user, 0x89, 0x44, 0x24, 0x1C);     // mov [rsp+28], eax
        bytes(user, 0xBF);                       // mov edi, pid
        int32(user, pid);
        bytes(user, 0xBE);                       // mov esi, RELAY
        int32(user, RELAY);
        bytes(user, 0x48, 0x89, 0xE2);           // mov rdx, rsp
        bytes(user, 0xB8);                       // mov eax, rt_sigqueueinfo
        int32(user, NR_RT_SIGQUEUEINFO);
        bytes(user, 0x0F, 0x05);                 // syscall
        bytes(user, 0x48, 0x81, 0xC4);           // add rsp, FRAME
        int32(user, FRAME);
        bytes(user, 0xC3);                       // ret
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bytes(out, 0x8B, 0x46, 0x08, 0x85, 0xC0, 0x7F, user.size()); // mov eax,[rsi+8]; test eax,eax; jg real
        out.writeBytes(user.toByteArray());
        bytes(out, 0x48, 0xB8);                  // mov rax, imm64
        for (int i = 0; i < 8; i++) out.write((int) (hotspotHandler >>> (8 * i)) & 0xFF);
        bytes(out, 0xFF, 0xE0);                  // jmp rax
        return out.toByteArray();
    }

    private static void bytes(ByteArrayOutputStream out, int... b) {
        for (int x : b) out.write(x);
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) out.write((v >>> (8 * i)) & 0xFF);
    }

    /**
     * Tells whether a signal read from the signalfd is a fault signal the relay queued.
     *
     * @param info the signal as read ({@link Libc#readSignalInfo})
     * @param pid  this process's PID
     * @return the fault signal that was sent (4, 7, 8 or 11), or empty when {@code info} is any other signal
     *     (a {@link #RELAY} that someone else sent included)
     */
    public static OptionalInt relayed(Libc.SignalInfo info, int pid) {
        int sent = (int) info.value();
        if (info.signo() != RELAY || info.code() != SI_QUEUE || info.pid() != pid || !FAULT_SIGNALS.contains(sent)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(sent);
    }

    /**
     * The PID of who sent a relayed fault signal.
     *
     * @param info a signal for which {@link #relayed} is not empty
     * @return the sender's PID as the init sees it (0 when the kernel or a process outside the namespace sent it)
     */
    public static int sender(Libc.SignalInfo info) {
        return (int) (info.value() >>> 32);
    }

    /**
     * Test hook: makes a real fault (a read of address 8, SIGSEGV with {@code SEGV_MAPERR}) that
     * HotSpot does not expect, so that its crash handling can be observed. Never called by the init
     * unless the system property {@code jinit.test.fault} is {@code segv}.
     *
     * @return never returns normally
     */
    public static long faultForTest() {
        return MemorySegment.ofAddress(8).reinterpret(8).get(JAVA_LONG, 0);
    }
}
