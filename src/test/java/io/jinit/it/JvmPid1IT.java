package io.jinit.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jinit.it.MyInitRun.Result;
import io.jinit.it.MyInitRun.Running;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JVM itself is PID 1 (the launcher execs it; it names itself my_init), and a normal boot prints no JVM noise. */
@Timeout(60)
class JvmPid1IT extends InitTestBase {

    @Test
    void pid1OfTheNamespaceIsTheImagesJavaNamedMyInit() {
        Result r = init().options("--skip-runit").mainSh("readlink /proc/1/exe; cat /proc/1/comm")
                .timeout(Duration.ofSeconds(20)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.out()).as(r::describe).isEqualTo(MyInitRun.java() + "\nmy_init\n");
    }

    @Test
    void theLaunchersProcessBecomesTheJvm() {
        // unshare forks once; its child must be the JVM itself, no shell left in between
        try (Running run = init().options("--skip-runit").main("sleep", "5").timeout(Duration.ofSeconds(20)).start()) {
            long init = run.initPid();
            assertThat(ProcFs.stat(init).orElseThrow().ppid()).as(run.describeNow()).isEqualTo(run.launcherPid());
        }
    }

    @Test
    void aNormalBootPrintsNoJvmWarnings() {
        InitRoot.sh(root.startupDir().resolve("10-script"), "true");
        root.service("svc", "echo up > " + root.out("up") + "\nexec sleep 1000");
        Result r = init().mainSh("until [ -e " + root.out("up") + " ]; do sleep 0.05; done")
                .timeout(Duration.ofSeconds(30)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.errLines()).as(r::describe)
                .noneMatch(l -> l.contains("[error][aot]") || l.contains("[warning][aot]"))
                .noneMatch(l -> l.startsWith("WARNING:"));
    }

    @Test
    void stderrOfASimpleRunHoldsOnlyLogLines() {
        Result r = init().options("--skip-runit").main("true").timeout(Duration.ofSeconds(20)).run();
        assertThat(r.exitCode()).as(r::describe).isZero();
        assertThat(r.errLines()).as(r::describe).allMatch(l -> l.startsWith("*** "));
    }
}
