package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With real runit ({@code runsvdir -P ROOT/etc/service}): services start, get TERM at
 * shutdown, a stubborn one is killed after KILL_PROCESS_TIMEOUT, hooks run in order and a
 * failing pre-hook does not skip the graceful stop.
 */
@Timeout(60)
class RunitIT extends InitTestBase {

    private static final int KPT = 2;

    private MyInitRun runitInit() {
        return init().env("KILL_PROCESS_TIMEOUT", Integer.toString(KPT)).env("KILL_ALL_PROCESSES_TIMEOUT", "2")
                .timeout(Duration.ofSeconds(40));
    }

    /** A service that records "up" and, on TERM, "term" to out/NAME, then exits. */
    private void politeService(String name, Path events) {
        root.service(name, """
                trap 'echo %1$s-term >> %2$s; exit 0' TERM
                echo %1$s-up >> %2$s
                while :; do sleep 0.1; done
                """.formatted(name, events));
    }

    /** A main command that waits (up to 15 s) until every given marker file exists, then exits with status. */
    private static String waitForFiles(int status, Path... files) {
        StringBuilder cond = new StringBuilder();
        for (Path f : files) {
            cond.append(cond.isEmpty() ? "" : " && ").append("grep -q up ").append(f);
        }
        return """
                n=0
                until %s; do n=$((n+1)); [ $n -gt 150 ] && { echo "services did not start" >&2; exit 99; }; sleep 0.1; done
                exit %d
                """.formatted(cond, status);
    }

    @Test
    void twoServicesStartAndGetTermAtExit() {
        Path a = root.out("a");
        Path b = root.out("b");
        politeService("svc-a", a);
        politeService("svc-b", b);
        // a long KILL_PROCESS_TIMEOUT: a shutdown that waited for it could not pass the bound below
        Result r = runitInit().env("KILL_PROCESS_TIMEOUT", "20").mainSh(waitForFiles(0, a, b)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.logLines()).as(r::describe).contains("*** Booting runit daemon...", "*** Killing all processes...")
                .anyMatch(l -> l.matches("\\*\\*\\* Runit started as PID \\d+"))
                .anyMatch(l -> l.matches("\\*\\*\\* Shutting down runit daemon \\(PID \\d+\\)\\.\\.\\."));
        assertThat(InitRoot.lines(a)).as(r::describe).containsExactly("svc-a-up", "svc-a-term");
        assertThat(InitRoot.lines(b)).as(r::describe).containsExactly("svc-b-up", "svc-b-term");
        MyInitRun.Line exited = r.line(l -> l.equals("*** sh exited with status 0.")).orElseThrow(
                () -> new AssertionError("no exit line\n" + r.describe()));
        // polite services stop at once: no timeout may be waited for
        assertThat(r.since(exited.nanos())).as(r::describe).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void serviceIgnoringTermIsKilledAfterKillProcessTimeout() {
        Path ev = root.out("stubborn");
        root.service("stubborn", """
                trap 'echo term >> %1$s' TERM
                echo up >> %1$s
                while :; do sleep 0.1; done
                """.formatted(ev));
        Result r = runitInit().mainSh(waitForFiles(0, ev)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(InitRoot.read(ev)).as("the service got TERM first\n" + r.describe()).startsWith("up\nterm\n");
        MyInitRun.Line exited = r.line(l -> l.equals("*** sh exited with status 0.")).orElseThrow(
                () -> new AssertionError("no exit line\n" + r.describe()));
        assertThat(r.since(exited.nanos())).as("waits KILL_PROCESS_TIMEOUT, then kills\n" + r.describe())
                .isGreaterThan(Duration.ofMillis(KPT * 900L))
                .isLessThan(Duration.ofSeconds(KPT + 4));
    }

    @Test
    void shutdownHooksRunInOrderAroundTheServiceStop() {
        Path ev = root.out("events");
        politeService("svc", ev);
        InitRoot.sh(root.preShutdownDir().resolve("20-pre-b"), "echo pre-b >> " + ev);
        InitRoot.sh(root.preShutdownDir().resolve("10-pre-a"), "echo pre-a >> " + ev);
        InitRoot.write(root.preShutdownDir().resolve("15-not-exec"), "#!/bin/sh\necho not-exec >> " + ev + "\n", "rw-r--r--");
        InitRoot.sh(root.postShutdownDir().resolve("20-post-b"), "echo post-b >> " + ev);
        InitRoot.sh(root.postShutdownDir().resolve("10-post-a"), "echo post-a >> " + ev);
        Result r = runitInit().mainSh(waitForFiles(3, ev)).run();
        assertThat(r.exitCode()).as(r::describe).isEqualTo(3);
        assertThat(InitRoot.lines(ev)).as(r::describe)
                .containsExactly("svc-up", "pre-a", "pre-b", "svc-term", "post-a", "post-b");
    }

    @Test
    void failingPreHookIsAWarningAndTheServicesStillStopGracefully() {
        Path ev = root.out("events");
        politeService("svc", ev);
        Path failing = InitRoot.sh(root.preShutdownDir().resolve("10-fail"), "echo pre-fail >> " + ev + "\nexit 4");
        InitRoot.sh(root.preShutdownDir().resolve("20-next"), "echo pre-next >> " + ev);
        InitRoot.sh(root.postShutdownDir().resolve("10-post"), "echo post >> " + ev);
        Result r = runitInit().mainSh(waitForFiles(5, ev)).run();
        assertThat(r.exitCode()).as("the main command's status is kept\n" + r.describe()).isEqualTo(5);
        assertThat(InitRoot.lines(ev)).as("graceful stop (svc-term) and the other hooks still happen\n" + r.describe())
                .containsExactly("svc-up", "pre-fail", "pre-next", "svc-term", "post");
        assertThat(r.logLines()).as(r::describe)
                .anyMatch(l -> l.contains(failing.toString()) && l.matches(".*\\b4\\b.*"));
    }

    @Test
    void failingPostHookKeepsTheMainStatus() {
        Path failing = InitRoot.sh(root.postShutdownDir().resolve("10-fail"), "exit 6");
        Result r = runitInit().mainSh("exit 0").run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.logLines()).as(r::describe).anyMatch(l -> l.contains(failing.toString()) && l.matches(".*\\b6\\b.*"));
    }

    @Test
    void runitOnlyModeExitsWithRunsvdirsStatus() {
        Path ev = root.out("events");
        politeService("svc", ev);
        try (Running run = runitInit().start()) {
            run.awaitFile(ev, Duration.ofSeconds(15));
            ProcFs.Proc runsvdir = run.awaitDescendant(p -> p.comm().equals("runsvdir"), Duration.ofSeconds(5), "runsvdir");
            // runsvdir(8): on HUP it sends TERM to each runsv and exits 111
            assertThat(Sig.HUP.send(runsvdir.pid())).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(111);
            assertThat(r.logLines()).as(r::describe).contains("*** Runit exited with status 111");
            assertThat(InitRoot.lines(ev)).as(r::describe).containsExactly("svc-up", "svc-term");
        }
    }

    @Test
    void termToTheInitInRunitOnlyModeStopsServicesAndExits2() {
        // what `docker stop` does to a container booted with CMD ["/sbin/my_init"]
        Path a = root.out("a");
        Path b = root.out("b");
        politeService("svc-a", a);
        politeService("svc-b", b);
        try (Running run = runitInit().start()) {
            run.awaitFile(a, Duration.ofSeconds(15));
            run.awaitFile(b, Duration.ofSeconds(15));
            long sent = System.nanoTime();
            assertThat(run.signal(Sig.TERM)).isTrue();
            Result r = run.await();
            assertThat(r.exitCode()).as(r::describe).isEqualTo(2);
            assertThat(r.logLines()).as(r::describe).contains("*** Init system aborted.");
            assertThat(InitRoot.lines(a)).as(r::describe).containsExactly("svc-a-up", "svc-a-term");
            assertThat(InitRoot.lines(b)).as(r::describe).containsExactly("svc-b-up", "svc-b-term");
            assertThat(r.since(sent)).as(r::describe).isLessThan(Duration.ofSeconds(KPT + 3));
        }
    }

    @Test
    void runsvdirKilledFromOutsideWhileMainRuns() throws Exception {
        Path ev = root.out("events");
        politeService("svc", ev);
        Path go = root.out("go");
        String main = waitForFiles(0, ev).replace("exit 0", "until [ -e " + go + " ]; do sleep 0.05; done\nexit 6");
        try (Running run = runitInit().mainSh(main).start()) {
            run.awaitFile(ev, Duration.ofSeconds(15));
            ProcFs.Proc runsvdir = run.awaitDescendant(p -> p.comm().equals("runsvdir"), Duration.ofSeconds(5), "runsvdir");
            assertThat(Sig.KILL.send(runsvdir.pid())).isTrue();
            MyInitRun.sleep(300);
            Files.writeString(go, "go");
            long sent = System.nanoTime();
            Result r = run.await();
            assertThat(r.exitCode()).as("main still waited for, its status returned\n" + r.describe()).isEqualTo(6);
            assertThat(r.logLines()).as(r::describe).contains("*** sh exited with status 6.");
            assertThat(r.since(sent)).as("shutdown still bounded\n" + r.describe())
                    .isLessThan(Duration.ofSeconds(KPT + 2 + 3));
        }
    }
}
