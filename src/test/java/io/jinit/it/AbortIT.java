package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SIGTERM / SIGINT to the init (contract: exit 2, "Init system aborted."), in the phases
 * where it can be timed from outside, each bounded by KILL_PROCESS_TIMEOUT +
 * KILL_ALL_PROCESSES_TIMEOUT (both 2 s here) plus a margin.
 */
@Timeout(60)
class AbortIT extends InitTestBase {

    private static final int KPT = 2;
    private static final int KAPT = 2;
    private static final Duration MARGIN = Duration.ofSeconds(4);
    private static final Duration BOUND = Duration.ofSeconds(KPT + KAPT).plus(MARGIN);

    private MyInitRun fastInit() {
        return init().env("KILL_PROCESS_TIMEOUT", Integer.toString(KPT))
                .env("KILL_ALL_PROCESSES_TIMEOUT", Integer.toString(KAPT))
                .timeout(Duration.ofSeconds(40));
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void signalWhileMainRunsStopsMainWithTermAndExits2(Sig s) {
        Path main = InitRoot.sh(root.out("main.sh"), """
                trap 'echo TERM >> %s; exit 0' TERM
                echo ready > %s
                while :; do sleep 0.1; done
                """.formatted(root.out("main.term"), root.out("main.ready")));
        try (Running run = fastInit().main(main.toString()).start()) {
            run.awaitFile(root.out("main.ready"), Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(s)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.")
                    .anyMatch(l -> l.startsWith("*** Shutting down " + main + " (PID "));
            assertThat(InitRoot.read(root.out("main.term"))).as("the main command got SIGTERM\n" + r.describe())
                    .isEqualTo("TERM\n");
            assertThat(r.since(sent)).as(r::describe).isLessThan(BOUND);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void signalDuringALongStartupScriptAborts(Sig s) {
        InitRoot.sh(root.startupDir().resolve("10-long"), "echo started > " + root.out("started") + "\nsleep 1000");
        InitRoot.sh(root.startupDir().resolve("20-after"), "echo after > " + root.out("after"));
        try (Running run = fastInit().mainSh("echo main > " + root.out("main")).start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(s)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.");
            assertThat(root.out("after")).as(r::describe).doesNotExist();
            assertThat(root.out("main")).as(r::describe).doesNotExist();
            assertThat(r.since(sent)).as(r::describe).isLessThan(BOUND);
        }
    }

    @Test
    void startupScriptIgnoringTermIsKilledAfterKillProcessTimeout() {
        Path script = InitRoot.sh(root.startupDir().resolve("10-stubborn"),
                "trap '' TERM INT\necho started > " + root.out("started") + "\nwhile :; do sleep 0.1; done");
        try (Running run = fastInit().main("true").start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(Sig.TERM)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.")
                    .anyMatch(l -> l.startsWith("*** " + script + " (PID ")
                            && l.endsWith(") did not shut down in time. Forcing it to exit."));
            assertThat(r.since(sent)).as(r::describe)
                    .isGreaterThan(Duration.ofMillis(KPT * 900L)).isLessThan(BOUND);
        }
    }

    @Test
    void processOutsideTheScriptsGroupIgnoringTermIsKilledByKillAll() {
        // a grandchild in its own session (group signals miss it) that ignores TERM
        InitRoot.sh(root.startupDir().resolve("10-detach"), """
                (trap '' TERM; echo started > %s; exec setsid sleep 1000) &
                wait
                """.formatted(root.out("started")));
        try (Running run = fastInit().main("true").start()) {
            run.awaitFile(root.out("started"), Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(Sig.TERM)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.",
                    "*** Killing all processes...",
                    "*** Not all processes have exited in time. Forcing them to exit.");
            assertThat(r.since(sent)).as(r::describe)
                    .isGreaterThan(Duration.ofMillis(KAPT * 900L)).isLessThan(BOUND);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Sig.class, names = {"TERM", "INT"})
    void signalRightAfterRunitBootedAborts(Sig s) {
        root.service("svc", "exec sleep 1000");
        try (Running run = fastInit().start()) {
            run.awaitStderr("*** Booting runit daemon...", Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(s)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.");
            assertThat(r.since(sent)).as(r::describe).isLessThan(BOUND.plusSeconds(KPT));
        }
    }

    @Test
    void moreSignalsDuringShutdownDoNotRestartOrBreakIt() throws Exception {
        Path events = root.out("events");
        root.service("stubborn", """
                trap 'echo term >> %s' TERM
                echo up > %s
                while :; do sleep 0.1; done
                """.formatted(root.out("svc"), root.out("svc.up")));
        InitRoot.sh(root.preShutdownDir().resolve("10-pre"), "echo pre >> " + events);
        InitRoot.sh(root.postShutdownDir().resolve("10-post"), "echo post >> " + events);
        try (Running run = fastInit().start()) {
            run.awaitFile(root.out("svc.up"), Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(Sig.TERM)).isTrue();
            run.awaitFile(events, Duration.ofSeconds(10));
            // shutdown has begun (pre hook ran); the service holds it up for KILL_PROCESS_TIMEOUT
            for (Sig again : new Sig[] {Sig.TERM, Sig.INT, Sig.TERM}) {
                MyInitRun.sleep(200);
                run.signal(again);
            }
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).containsOnlyOnce("*** Init system aborted.");
            assertThat(InitRoot.lines(events)).as("each hook ran once, in order\n" + r.describe())
                    .containsExactly("pre", "post");
            assertThat(InitRoot.read(root.out("svc"))).as(r::describe).startsWith("term\n");
            assertThat(r.since(sent)).as(r::describe).isLessThan(BOUND.plusSeconds(KPT));
            assertThat(Files.exists(root.out("svc.up"))).isTrue();
        }
    }
}
