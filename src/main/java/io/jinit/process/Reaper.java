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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The one owner of {@code waitpid(2)}: a platform thread reaps every child and every orphan
 * reparented to this process (as PID 1 or as a subreaper). Children started through
 * {@link #spawn} are registered under the same lock the reaper takes before it looks a PID up, so
 * a child that exits before {@code posix_spawnp} returns still gets its status; orphans'
 * statuses are dropped.
 *
 * <p>No signal can reach a reaped PID: the thread first looks without reaping
 * ({@code waitid(P_ALL, 0, WEXITED|WNOWAIT)}, the child stays a zombie and keeps its PID), then
 * takes the lock, reaps exactly that PID ({@code waitpid(pid, WNOHANG)}) and unregisters the
 * child before it lets go of the lock. {@link ChildProcess#signal} sends only under that lock and
 * only to a registered child, so it sends either to the live process or to its zombie, never to a
 * PID the kernel may have handed to another process.
 *
 * <p>When there is no child ({@code ECHILD}), the thread parks until a spawn wakes it, or for at
 * most {@link #IDLE_POLL} (orphans can arrive without a spawn, e.g. from {@code docker exec}).
 * Any other error of a wait is reported ({@link #reportErrorsTo}) and the thread goes on after
 * {@link #ERROR_PAUSE}: the reaper never ends before {@link #close}.
 */
public final class Reaper implements AutoCloseable {
    /** How long the reaper parks when it has no child, before it looks for orphans again. */
    public static final Duration IDLE_POLL = Duration.ofSeconds(1);
    /** How long the reaper pauses after a failed wait (any errno but ECHILD) before it waits again. */
    public static final Duration ERROR_PAUSE = Duration.ofMillis(100);

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition idle = lock.newCondition();
    private final Map<Integer, ChildProcess> children = new HashMap<>();
    private final Thread thread;
    private long idleGeneration;
    private boolean wakeRequested;
    private volatile boolean closed;
    private volatile Consumer<String> errors = message -> System.err.println("*** " + message);
    /** Test hook: runs on the reaper thread after a look found an exited child, before it is reaped. */
    private volatile IntConsumer afterLook = pid -> {};
    /** Test hook: how many of the next looks fail with {@link #injectedErrno} instead of waiting. */
    private final AtomicInteger injectedFailures = new AtomicInteger();
    private volatile int injectedErrno;

    /** The fds every child keeps (the ones the init was started with), ascending. */
    private final List<Integer> keptDescriptors;

    private Reaper(List<Integer> keptDescriptors) {
        this.keptDescriptors = List.copyOf(keptDescriptors);
        thread = Thread.ofPlatform().name("jinit-reaper").daemon(true).unstarted(this::run);
    }

    /** @return a started reaper whose children keep only fds 0, 1 and 2; there must be only one per process */
    public static Reaper start() {
        return start(Libc.SpawnOptions.STANDARD_DESCRIPTORS);
    }

    /**
     * @param keptDescriptors the fds every child keeps, ascending ({@link InitProcess#inheritedDescriptors}):
     *                        every other fd is closed in each child
     * @return a started reaper; there must be only one per process
     */
    public static Reaper start(List<Integer> keptDescriptors) {
        Reaper r = new Reaper(keptDescriptors);
        r.thread.start();
        return r;
    }

    private void run() {
        try (Libc.WaitBuffer buffer = new Libc.WaitBuffer()) {
            while (!closed) {
                try {
                    reapOne(buffer);
                } catch (PosixException e) {
                    failed("waitpid", e);
                } catch (RuntimeException e) {
                    failed("reaping", e);
                }
            }
        }
    }

    /** One turn: look for an exited child (or park when there is none), then reap it under the lock. */
    private void reapOne(Libc.WaitBuffer buffer) {
        Libc.WaitidInfo seen;
        try {
            if (injectedFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new PosixException("waitid", injectedErrno);
            }
            seen = Libc.waitid(Libc.P_ALL, 0, Libc.WEXITED | Libc.WNOWAIT, buffer);
        } catch (PosixException e) {
            if (e.errno() != Errno.ECHILD) {
                failed("waitid", e);
                return;
            }
            parkWhileIdle();
            return;
        }
        if (seen.pid() <= 0) return;
        afterLook.accept(seen.pid());
        // Reap the one seen and every other child that has exited meanwhile (a burst of orphans
        // costs one look, not one per zombie). Each zombie keeps its PID until its waitpid, and
        // its child leaves the table in the same lock, so no signal can reach a reaped PID.
        List<ChildProcess> done = new ArrayList<>();
        List<WaitStatus> statuses = new ArrayList<>();
        lock.lock();
        try {
            Libc.Waited w = Libc.waitpid(seen.pid(), Libc.WNOHANG, buffer);
            while (w.pid() > 0) {
                ChildProcess child = children.remove(w.pid());
                if (child != null) {
                    done.add(child);
                    statuses.add(WaitStatus.decode(w.status()));
                }
                w = Libc.waitpid(-1, Libc.WNOHANG, buffer);
            }
        } catch (PosixException e) {
            if (e.errno() != Errno.ECHILD) throw e;
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < done.size(); i++) done.get(i).complete(statuses.get(i));
    }

    /** Reports a failed wait and pauses for {@link #ERROR_PAUSE}; the reaper goes on. */
    private void failed(String what, RuntimeException e) {
        try {
            errors.accept("The reaper's " + what + " failed (" + e.getMessage() + "); it goes on reaping.");
        } catch (RuntimeException ignored) {
            // a broken sink must not end the reaper either
        }
        pause(ERROR_PAUSE, () -> { });
    }

    /**
     * Sends the reaper's error reports (a wait that failed with an errno other than ECHILD) to
     * {@code sink} instead of stderr. Safe from any thread.
     *
     * @param sink receives one line per failure, e.g. {@code The reaper's waitid failed (...); it goes on reaping.}
     */
    public void reportErrorsTo(Consumer<String> sink) {
        this.errors = sink;
    }

    /** Test hook: {@code hook} runs on the reaper thread with the PID of each exited child, before it is reaped. */
    void afterLook(IntConsumer hook) {
        this.afterLook = hook;
    }

    /** Test hook: the next {@code count} looks fail with {@code errno} (e.g. EINVAL), as a broken wait would. */
    void injectWaitFailures(int count, int errno) {
        injectedErrno = errno;
        injectedFailures.set(count);
        lock.lock();
        try {
            wakeLocked();
        } finally {
            lock.unlock();
        }
    }

    private void parkWhileIdle() {
        pause(IDLE_POLL, () -> {
            idleGeneration++;
            idle.signalAll();
        });
    }

    /**
     * Under the lock: runs {@code first}, then waits up to {@code limit} unless a wake-up is
     * pending (a spawn, a close). An interrupt closes the reaper.
     */
    private void pause(Duration limit, Runnable first) {
        lock.lock();
        try {
            first.run();
            if (!closed && !wakeRequested) wake.await(limit.toMillis(), TimeUnit.MILLISECONDS);
            wakeRequested = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private void wakeLocked() {
        wakeRequested = true;
        wake.signal();
    }

    /**
     * Starts a command as a child ({@code posix_spawnp(3)} with a clean child: empty signal mask,
     * default dispositions, only the fds the reaper was told to keep, optionally its own process group). A program without a
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
            ChildProcess child = new ChildProcess(pid, command.name(), true, this);
            children.put(pid, child);
            wakeLocked();
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
        lock.lock();
        try {
            long generation = idleGeneration;
            wakeLocked();
            while (idleGeneration == generation) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                idle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A condition for {@link Abort#await}: true once this process has had no child at all
     * ({@code waitpid} reported ECHILD) after this call. Wakes the reaper so it looks at once.
     *
     * @return the condition; cheap (a lock and a compare), never blocks
     */
    public BooleanSupplier noChildrenLeft() {
        long generation;
        lock.lock();
        try {
            generation = idleGeneration;
            wakeLocked();
        } finally {
            lock.unlock();
        }
        return () -> {
            lock.lock();
            try {
                return idleGeneration != generation;
            } finally {
                lock.unlock();
            }
        };
    }

    /**
     * Stops the reaper thread at its next wake-up and waits up to {@link #IDLE_POLL} for it to end
     * (it ends at once when there is no child; children are left alone).
     */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            wakeLocked();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(IDLE_POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
