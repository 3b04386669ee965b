package io.jinit.process;

import io.jinit.posix.Errno;
import io.jinit.posix.Libc;
import io.jinit.posix.PosixException;
import io.jinit.bytes.RawStrings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The one owner of {@code waitpid(2)}: reaps every child and every orphan reparented to this
 * process (as PID 1 or as a subreaper). It has no thread of its own: the init's one loop
 * ({@link SignalFd}) calls {@link #reap} for each SIGCHLD it reads, and a SIGCHLD stands for any
 * number of exits (the kernel keeps one pending SIGCHLD, not one per child), so a pass reaps
 * with {@code waitpid(-1, WNOHANG)} until none is left ({@code 0}) or there is no child at all
 * ({@code ECHILD}). Nothing polls: an idle init makes no wake-up here.
 *
 * <p>Children started through {@link #spawn} are registered under the lock every pass holds
 * while it reaps, so a child that exits before {@code posix_spawnp} returns still gets its
 * status; orphans' statuses are dropped. No signal can reach a reaped PID: a pass reaps and
 * unregisters each child without letting go of the lock, and {@link ChildProcess#signal} sends
 * only under that lock and only to a registered child, so it sends either to the live process or
 * to its zombie, never to a PID the kernel may have handed to another process.
 *
 * <p>A wait that fails with an errno other than {@code ECHILD} is reported ({@link #reportErrorsTo}),
 * and after {@link #ERROR_PAUSE} the pass is asked for again (a SIGCHLD sent to this process), so
 * a zombie left by a failed pass is reaped by the next one.
 */
public final class Reaper {
    /** How long a pass that failed (any errno but ECHILD) pauses before it asks for the next one. */
    public static final Duration ERROR_PAUSE = Duration.ofMillis(100);

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled after every pass that reaped a child or found none left. */
    private final Condition reaped = lock.newCondition();
    private final Map<Integer, ChildProcess> children = new HashMap<>();
    /** Children reaped by a pass whose statuses that pass has not completed yet (guarded by the lock). */
    private int completing;
    private volatile Consumer<String> errors = message -> System.err.println("*** " + message);
    /** Test hook: runs on the reaping thread with an exited child's PID, before the pass reaps it. */
    private volatile IntConsumer afterLook;
    /** Test hook: how many of the next passes fail with {@link #injectedErrno} instead of waiting. */
    private final AtomicInteger injectedFailures = new AtomicInteger();
    private volatile int injectedErrno;

    /** The fds every child keeps (the ones the init was started with), ascending. */
    private final List<Integer> keptDescriptors;

    /** A reaper with no child yet; the init's loop ({@link SignalFd}) drives it. */
    public Reaper() {
        this(Libc.SpawnOptions.STANDARD_DESCRIPTORS);
    }

    /**
     * A reaper with no child yet, whose children keep exactly {@code keptDescriptors}.
     *
     * @param keptDescriptors the fds every child keeps, ascending ({@link InitProcess#inheritedDescriptors}):
     *                        every other fd is closed in each child
     */
    public Reaper(List<Integer> keptDescriptors) {
        this.keptDescriptors = List.copyOf(keptDescriptors);
    }

    /**
     * One pass: reaps every child that has exited, under the lock, and completes their statuses
     * after it (on the calling thread: the loop's, or the caller of {@link #noChildrenLeft}).
     * Never throws for a failed wait: it is reported, and another pass is asked for after
     * {@link #ERROR_PAUSE} (a SIGCHLD sent to this process).
     *
     * @return true when this process has no child at all ({@code waitpid} reported ECHILD) and the
     *     status of every child reaped so far, by this pass or another thread's, has been completed
     */
    public boolean reap() {
        List<ChildProcess> done = new ArrayList<>();
        List<WaitStatus> statuses = new ArrayList<>();
        PosixException failure = null;
        boolean none = false;
        try (Libc.WaitBuffer buffer = new Libc.WaitBuffer()) {
            IntConsumer hook = afterLook;
            if (hook != null) look(buffer, hook);
            lock.lock();
            try {
                if (injectedFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new PosixException("waitpid", injectedErrno);
                }
                // Each zombie keeps its PID until its waitpid, and its child leaves the table in
                // the same lock, so no signal can reach a reaped PID.
                for (Libc.Waited w = Libc.waitpid(-1, Libc.WNOHANG, buffer); w.pid() > 0;
                     w = Libc.waitpid(-1, Libc.WNOHANG, buffer)) {
                    ChildProcess child = children.remove(w.pid());
                    if (child != null) {
                        done.add(child);
                        statuses.add(WaitStatus.decode(w.status()));
                    }
                }
            } catch (PosixException e) {
                // no child left, and every status reaped by any pass is out
                if (e.errno() == Errno.ECHILD) none = completing == 0;
                else failure = e;
            } finally {
                completing += done.size();
                if (none) reaped.signalAll();
                lock.unlock();
            }
        }
        for (int i = 0; i < done.size(); i++) done.get(i).complete(statuses.get(i));
        if (!done.isEmpty()) {
            lock.lock();
            try {
                completing -= done.size();
                reaped.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (failure != null) failed(failure);
        return none;
    }

    /** For {@link #afterLook}: finds an exited child without reaping it (it stays a zombie). */
    private static void look(Libc.WaitBuffer buffer, IntConsumer hook) {
        try {
            int pid = Libc.waitid(Libc.P_ALL, 0, Libc.WEXITED | Libc.WNOWAIT | Libc.WNOHANG, buffer);
            if (pid > 0) hook.accept(pid);
        } catch (PosixException e) {
            // no child: nothing to look at
        }
    }

    /** Reports a failed pass, pauses for {@link #ERROR_PAUSE}, and asks for another pass. */
    private void failed(PosixException e) {
        try {
            errors.accept("The reaper's waitpid failed (" + e.getMessage() + "); it goes on reaping.");
        } catch (RuntimeException ignored) {
            // a broken sink must not stop the reaping either
        }
        try {
            Thread.sleep(ERROR_PAUSE);
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        }
        // the SIGCHLD that brought this pass has been read: ask the loop for the next one
        Libc.kill(Libc.getpid(), Signal.CHLD.number());
    }

    /**
     * Sends the reaper's error reports (a wait that failed with an errno other than ECHILD) to
     * {@code sink} instead of stderr. Safe from any thread.
     *
     * @param sink receives one line per failure, e.g. {@code The reaper's waitpid failed (...); it goes on reaping.}
     */
    public void reportErrorsTo(Consumer<String> sink) {
        this.errors = sink;
    }

    /** Test hook: {@code hook} runs on the reaping thread with the PID of an exited child, before the pass reaps it. */
    void afterLook(IntConsumer hook) {
        this.afterLook = hook;
    }

    /** Test hook: the next {@code count} passes fail with {@code errno} (e.g. EINVAL), as a broken wait would. */
    void injectWaitFailures(int count, int errno) {
        injectedErrno = errno;
        injectedFailures.set(count);
    }

    /**
     * Starts a command as a child ({@code posix_spawnp(3)} with a clean child: empty signal mask,
     * default dispositions, only the fds the reaper keeps, optionally its own process group). A program without a
     * {@code /} is looked up on the command's own {@code PATH} (as {@code execvp(3)} does); a file
     * that is not a binary and has no {@code #!} is run by {@code /bin/sh}.
     *
     * @param command what to run
     * @return the running child, registered with this reaper
     * @throws CannotExecuteException 127 when not found, 126 when not executable, with the reason
     */
    public ChildProcess spawn(Command command) throws CannotExecuteException {
        String program = resolve(command);
        var options = new Libc.SpawnOptions(true, command.foregroundTty(), !command.keepsTerminal() && Libc.isatty(0),
                keptDescriptors);
        lock.lock();
        try {
            int pid;
            try {
                pid = Libc.spawn(RawStrings.encode(program), command.rawArgv(), command.envp(), options);
            } catch (PosixException e) {
                if (e.errno() != Errno.ENOEXEC) throw cannotExecute(command.name(), program, e.errno());
                var shArgv = new java.util.ArrayList<byte[]>();
                shArgv.add(RawStrings.encode("/bin/sh"));
                shArgv.add(RawStrings.encode(program));
                shArgv.addAll(command.rawArgv().subList(1, command.argv().size()));
                try {
                    pid = Libc.spawn(RawStrings.encode("/bin/sh"), shArgv, command.envp(), options);
                } catch (PosixException e2) {
                    throw cannotExecute(command.name(), e2.errno());
                }
            }
            ChildProcess child = new ChildProcess(pid, command.name(), this);
            children.put(pid, child);
            return child;
        } finally {
            lock.unlock();
        }
    }

    private static CannotExecuteException cannotExecute(String program, int errno) {
        return new CannotExecuteException(program, Libc.strerror(errno), errno);
    }

    /** As above; an ENOENT for a file that exists names the missing {@code #!} interpreter. */
    private static CannotExecuteException cannotExecute(String name, String path, int errno) {
        String reason = errno == Errno.ENOENT ? Interpreter.missing(path, Libc.strerror(errno)) : null;
        if (reason == null) return cannotExecute(name, errno);
        return new CannotExecuteException(name, reason, errno);
    }

    /** The program path to spawn: argv[0] with a '/', or the first executable file on PATH. */
    private static String resolve(Command command) throws CannotExecuteException {
        String name = command.name();
        if (name.isEmpty()) throw cannotExecute("''", Errno.ENOENT);
        if (name.contains("/")) return name;
        String path = command.environment().getOrDefault("PATH", DEFAULT_PATH);
        boolean denied = false;
        for (String dir : path.split(":", -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(name);
            if (!Files.exists(candidate)) continue;
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
            denied = true;
        }
        throw cannotExecute(name, denied ? Errno.EACCES : Errno.ENOENT);
    }

    /**
     * Runs {@code action} while {@code child} is still registered (not reaped), under the lock the
     * reaper takes to record an exit, so the child's PID cannot have been handed to another
     * process by a wait of ours.
     *
     * @return the action's result, or false if the child has already been reaped
     */
    boolean whileRegistered(ChildProcess child, BooleanSupplier action) {
        lock.lock();
        try {
            return children.get(child.pid()) == child && action.getAsBoolean();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Looks up a running child of ours by PID.
     *
     * @param pid a PID
     * @return the child, or empty if it is not (or no longer) a child started by this reaper
     */
    public Optional<ChildProcess> child(int pid) {
        lock.lock();
        try {
            return Optional.ofNullable(children.get(pid));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a child by PID.
     *
     * @param pid the PID of a child started by this reaper
     * @return its wait status
     * @throws PosixException ECHILD at once when the PID is not a running child of ours
     * @throws InterruptedException if the calling thread is interrupted
     */
    public WaitStatus waitFor(int pid) throws InterruptedException {
        ChildProcess child = child(pid).orElseThrow(() -> new PosixException("waitpid", Errno.ECHILD));
        return child.waitFor();
    }

    /**
     * Waits until this process has no child left at all ({@code waitpid} reports ECHILD after this
     * call began): every child and adopted orphan has been reaped.
     *
     * @param timeout how long to wait at most
     * @return true when no child is left; false on timeout
     * @throws InterruptedException if the calling thread is interrupted
     */
    public boolean awaitNoChildren(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reap()) {
            lock.lock();
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                reaped.awaitNanos(left);
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    /**
     * A condition for {@link Abort#await}: true once this process has no child at all. Each check
     * is a pass of {@link #reap} on the calling thread (the loop reaps meanwhile too).
     *
     * @return the condition; cheap (a few {@code waitpid} calls under the lock), never blocks
     */
    public BooleanSupplier noChildrenLeft() {
        return this::reap;
    }
}
