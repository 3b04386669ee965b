package io.jinit.it;

import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.jinit.it.It.Proc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `docker run --init`: tini (Docker's docker-init) is PID 1 and my_init its child. my_init is then
 * not PID 1, so it must be a child subreaper (orphans of its subtree come to it, not to tini) and
 * its kill-all must signal only its own descendants: a process started by `docker exec` is not
 * one and must not get a signal from it.
 *
 * <p>The fair check: both the orphan (a descendant, by re-parenting) and the bystander (from
 * `docker exec`) trap TERM and write a marker. After my_init's kill-all the orphan's marker must
 * be there and the bystander's not. (When my_init exits, tini exits and the kernel SIGKILLs what is
 * left in the PID namespace, which writes no marker.)
 */
class SubreaperIT {

    @Test
    void underTiniMyInitIsASubreaperAndKillAllSparesOthers() {
        MyInitContainer c = It.myInit(It.image("tools"));
        if (It.dockerInitWorks()) {
            c.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true))
                    .withMyInitCommand("--", "subreaper-main");
        } else {
            // the daemon has no docker-init: the image's tini, as docker run --init would do
            c.withCommand("/usr/bin/tini", "--", "/sbin/my_init", "--", "subreaper-main");
        }
        try (c) {
            c.start();
            It.await(Duration.ofSeconds(30), "the orphan", () -> It.exists(c, "/var/log/markers/orphan.pid"));
            It.execDetached(c, "/usr/local/bin/trap-term", "bystander");
            It.await(Duration.ofSeconds(30), "the bystander", () -> It.exists(c, "/var/log/markers/bystander.pid"));

            List<Proc> ps = It.ps(c);
            Proc pid1 = ps.stream().filter(p -> p.pid() == 1).findFirst().orElseThrow();
            assertThat(pid1.comm()).as("PID 1 in %s", ps).isIn("docker-init", "tini");
            Proc myInit = ps.stream().filter(p -> p.comm().equals("my_init") && p.args().startsWith("/sbin/my_init"))
                    .findFirst().orElseThrow(() -> new AssertionError("no my_init in " + ps));
            assertThat(myInit.pid()).as("my_init is not PID 1").isNotEqualTo(1);
            assertThat(myInit.ppid()).as("my_init is tini's child").isEqualTo(1);
            int orphan = Integer.parseInt(It.readText(c, "/var/log/markers/orphan.pid").strip());
            int bystander = Integer.parseInt(It.readText(c, "/var/log/markers/bystander.pid").strip());
            assertThat(ps).as("the orphan of the main command was re-parented to my_init (subreaper), not to tini")
                    .anyMatch(p -> p.pid() == orphan && p.ppid() == myInit.pid());
            assertThat(ps).as("the docker exec'd bystander runs").anyMatch(p -> p.pid() == bystander);

            It.exec(c, "touch", "/tmp/go");
            int status = c.awaitExit(Duration.ofSeconds(60));
            String stderr = It.logs(c).stderrText();
            String signals = It.readText(c, "/var/log/markers/signals");
            assertThat(status).as("the main command's status through my_init and tini; stderr:\n%s", stderr).isEqualTo(5);
            assertThat(stderr).contains("*** Killing all processes...");
            assertThat(signals).as("kill-all signalled its own descendant").contains("orphan got TERM");
            assertThat(signals).as("kill-all left the process it did not start alone").doesNotContain("bystander got TERM");
        }
    }
}
