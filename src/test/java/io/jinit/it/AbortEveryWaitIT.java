package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Mode;
import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every wait of every phase gives way to SIGTERM and SIGINT. One test per wait,
 * each with TERM and with INT sent while the init is in that wait: the init exits 2 with
 * "Init system aborted." within the stop bounds, and nothing it started is left running.
 *
 * <p>The init runs as a child subreaper, not PID 1 ({@link Mode#NESTED_CHILD}): the kernel does
 * not end its leftovers when it exits, and the namespace's PID 1 lists what is left
 * ({@link Result#survivors()}). Each wait is made much longer than the bound (a wait that
 * ignored the signal would run to its own end: {@value #LONG} s), while KILL_PROCESS_TIMEOUT
 * and KILL_ALL_PROCESSES_TIMEOUT are {@value #KPT} s, unless the wait under test is one of
 * those (then it is {@value #LONG} s).
 */
@Timeout(120)
class AbortEveryWaitIT extends InitTestBase {
    static final int KPT = 2;
    static final int LONG = 40;
    /** What the init may take beyond the stop bounds on a loaded build machine (JVM start, polls). */
    static final Duration MARGIN = Duration.ofSeconds(5);

    private MyInitRun nested(int killProcessTimeout, int killAllTimeout) {
        return init().mode(Mode.NESTED_CHILD).options("-v")
                .env("KILL_PROCESS_TIMEOUT", Integer.toString(killProcessTimeout))
                .env("KILL_ALL_PROCESSES_TIMEOUT", Integer.toString(killAllTimeout))
                .timeout(Duration.ofSeconds(LONG + 30));
    }

    /** Sends {@code s} now, and checks exit 2, the abort line, the bound and that nothing is left. */
    private Result abortNow(Running run, Sig s, Duration bound) {
        long sent = System.nanoTime();
        assertThat(run.signal(s)).isTrue();
        Result r = run.await();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
        assertThat(r.logLines()).as(r::describe).containsOnlyOnce("*** Init system aborted.");
        assertThat(r.since(sent)).as("exit within %s of the %s\n%s", bound, s, r.describe()).isLessThan(bound);
        assertThat(r.hasNestedReport()).as(r::describe).isTrue();
        assertThat(r.survivors()).as("nothing the init started is left\n" + r.describe()).isEmpty();
        return r;
    }

    private static Duration bound(int... seconds) {
        Duration d = MARGIN;
        for (int s : seconds) d = d.plusSeconds(s);
        return d;
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringAStartupScript(Sig s) {
        InitRoot.sh(root.startupDir().resolve("10-long"), "echo > " + root.out("started") + "\nsleep " + (LONG * 10));
        try (Running run = nested(KPT, KPT).options("--skip-runit").main("true").start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(20));
            abortNow(run, s, bound(KPT, KPT));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringAPreShutdownHook(Sig s) {
        InitRoot.sh(root.preShutdownDir().resolve("10-long"), "echo > " + root.out("started") + "\nsleep " + (LONG * 10));
        InitRoot.sh(root.postShutdownDir().resolve("10-post"), "echo > " + root.out("post"));
        // the hook's own limit is KILL_PROCESS_TIMEOUT: long here, so only the signal can end it early
        try (Running run = nested(LONG, KPT).main("true").start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(20));
            Result r = abortNow(run, s, bound(KPT, KPT));
            assertThat(root.out("post")).as("the hooks after an abort do not run\n" + r.describe()).doesNotExist();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringAPostShutdownHook(Sig s) {
        InitRoot.sh(root.postShutdownDir().resolve("10-long"), "echo > " + root.out("started") + "\nsleep " + (LONG * 10));
        try (Running run = nested(LONG, KPT).main("true").start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(20));
            abortNow(run, s, bound(KPT, KPT));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringWaitForServicesWithACheckThatNeverReturns(Sig s) {
        Path svc = root.service("svc", "exec sleep " + (LONG * 10));
        InitRoot.sh(svc.resolve("check"), "echo > " + root.out("started") + "\nexec sleep " + (LONG * 10));
        try (Running run = nested(KPT, KPT).options("--wait-for-services=" + LONG)
                .mainSh("echo > " + root.out("main")).start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(20));
            Result r = abortNow(run, s, bound(KPT, KPT, KPT));
            assertThat(root.out("main")).as("the main command does not start\n" + r.describe()).doesNotExist();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringWaitForDescendants(Sig s) {
        try (Running run = nested(KPT, KPT).options("--skip-runit", "--wait-for-descendants=" + LONG)
                .mainSh("sleep " + (LONG * 10) + " & exit 0").start()) {
            run.awaitStderr("exited with status 0.", Duration.ofSeconds(20));
            MyInitRun.sleep(300); // in the wait now (it starts right after that line)
            abortNow(run, s, bound(KPT));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringTheServiceStop(Sig s) {
        // a service that ignores the stop: the shutdown would wait KILL_PROCESS_TIMEOUT for it
        root.service("stubborn", "trap '' TERM\necho > " + root.out("svc.up") + "\nexec sleep " + (LONG * 10));
        try (Running run = nested(LONG, KPT).mainSh("until [ -e " + root.out("svc.up") + " ]; do sleep 0.05; done").start()) {
            run.awaitStderr("Begin shutting down runit services...", Duration.ofSeconds(20));
            MyInitRun.sleep(300);
            abortNow(run, s, bound(KPT));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void duringKillAll(Sig s) {
        // a descendant that ignores TERM: kill-all would wait KILL_ALL_PROCESSES_TIMEOUT for it
        try (Running run = nested(KPT, LONG).options("--skip-runit")
                .mainSh("(trap '' TERM; echo > %1$s; exec sleep %2$d) &\nuntil [ -e %1$s ]; do sleep 0.05; done\nexit 0"
                        .formatted(root.out("ignoring"), LONG * 10)).start()) {
            run.awaitStderr("*** Killing all processes...", Duration.ofSeconds(20));
            MyInitRun.sleep(300);
            Result r = abortNow(run, s, bound(KPT));
            assertThat(r.logLines()).as(r::describe)
                    .contains("*** Not all processes have exited in time. Forcing them to exit.");
        }
    }
}
