package io.jinit.it;

import com.github.dockerjava.api.model.Capability;
import io.jinit.testcontainers.MyInitContainer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.wait.strategy.Wait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hardened deployments (issue 19), one container per row, on jinit/base and jinit/baseimage:
 * Kubernetes' restricted profile and its Docker equivalents: a read-only root with and without a
 * writable /run, a non-root user, an arbitrary UID with GID 0 (OpenShift), no capabilities with
 * no-new-privileges, and all of them at once. The services of src/test/docker/hardened say who
 * runs them and write a line on TERM, so that the graceful stop shows in the container's log.
 */
@Timeout(300)
class HardenedIT {

    /** How the container is run: Docker's options for one row. */
    record Profile(String user, boolean readOnly, List<String> tmpfs, boolean noCapabilities) {
        MyInitContainer apply(MyInitContainer c) {
            return c.withCreateContainerCmdModifier(cmd -> {
                if (user != null) cmd.withUser(user);
                var host = cmd.getHostConfig();
                if (readOnly) host.withReadonlyRootfs(true);
                if (!tmpfs.isEmpty()) {
                    Map<String, String> mounts = new LinkedHashMap<>();
                    tmpfs.forEach(t -> mounts.put(t, ""));
                    host.withTmpFs(mounts);
                }
                if (noCapabilities) host.withCapDrop(Capability.ALL).withSecurityOpts(List.of("no-new-privileges"));
            });
        }
    }

    /**
     * The test image on jinit/base, or on jinit/baseimage; {@code asRoot} false leaves out the
     * baseimage's root daemons (cron, syslog-ng), as README "Hardened deployments" says to.
     */
    static String image(String base, boolean asRoot) {
        if (base.equals("base")) return It.image("hardened");
        return asRoot ? It.image("hardened", "hardened-baseimage", List.of("BASE=" + It.BASEIMAGE), It.BASEIMAGE)
                : It.image("hardened", "hardened-baseimage-nonroot", List.of("BASE=" + It.BASEIMAGE,
                        "LEAVE_OUT=cron syslog-ng"), It.BASEIMAGE);
    }

    /** A container that is up when both test services have said so (as the given user). */
    static MyInitContainer container(String image, Profile p, String uidGid) {
        MyInitContainer c = It.myInit(image)
                .withEnv("KILL_PROCESS_TIMEOUT", "5")
                .waitingFor(Wait.forLogMessage(".*svc[12] up as " + Pattern.quote(uidGid) + ".*\\n", 2)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        return p.apply(c);
    }

    static Container.ExecResult execResult(MyInitContainer c, String... cmd) {
        try {
            return c.execInContainer(cmd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The probe says healthy (within a few seconds: a service's first look may still be due). */
    static void awaitHealthy(MyInitContainer c) {
        String[] last = {""};
        try {
            It.await(Duration.ofSeconds(15), "my_init-health to exit 0", () -> {
                Container.ExecResult r = execResult(c, "/sbin/my_init-health");
                last[0] = r.getExitCode() + ": " + r.getStdout() + r.getStderr();
                return r.getExitCode() == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer " + last[0] + "\nlog:\n" + c.getLogs(), e);
        }
    }

    static String status(MyInitContainer c, String service) {
        return execResult(c, "sv", "status", service).getStdout();
    }

    /** `docker stop`: exit 2 within the bounds, and every service's TERM line (the log service's too) kept. */
    static void stopsGracefully(MyInitContainer c) {
        long t0 = System.nanoTime();
        int status = c.stopGracefully(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String log = c.getLogs();
        assertThat(status).as("exit status of docker stop; log:\n%s", log).isEqualTo(2);
        // KILL_PROCESS_TIMEOUT=5, and the services exit at once on TERM
        assertThat(took).as("docker stop took; log:\n%s", log).isLessThan(Duration.ofSeconds(10));
        assertThat(log).as("nothing lost").contains("svc1 got TERM").contains("svc2-log: svc2 got TERM");
    }

    /** The init's own warning and error lines ("*** "), with --quiet the only ones it writes. */
    static List<String> initLines(MyInitContainer c) {
        return c.getLogs().lines().filter(l -> l.startsWith("*** ")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "baseimage"})
    void readOnlyRootWithTmpfsRunRunsEveryServiceFromACopyUnderRun(String base) {
        // jinit/baseimage's syslog-ng writes /var/log and /var/lib/syslog-ng (README "Hardened deployments")
        List<String> tmpfs = base.equals("base") ? List.of("/run", "/tmp")
                : List.of("/run", "/tmp", "/var/log", "/var/lib/syslog-ng");
        try (MyInitContainer c = container(image(base, true), new Profile(null, true, tmpfs, false), "0:0")) {
            c.start();
            assertThat(status(c, "/run/jinit/service/svc1")).as(c.getLogs()).startsWith("run: /run/jinit/service/svc1:");
            assertThat(status(c, "/run/jinit/service/svc2")).contains("; run: log:");
            assertThat(It.exec(c, "cat", "/run/jinit/state")).contains("phase=running\n", "services=/run/jinit/service\n");
            if (base.equals("baseimage")) {
                assertThat(status(c, "/run/jinit/service/syslog-ng")).as(c.getLogs()).startsWith("run:");
                assertThat(status(c, "/run/jinit/service/cron")).as(c.getLogs()).startsWith("run:");
            }
            awaitHealthy(c);

            // sv as README says: the path under /run/jinit/service, or SVDIR
            It.exec(c, "sv", "down", "/run/jinit/service/svc1");
            It.await(Duration.ofSeconds(10), "svc1 down", () -> status(c, "/run/jinit/service/svc1").startsWith("down:"));
            assertThat(c.getLogs()).contains("svc1 got TERM");
            It.exec(c, "sh", "-c", "SVDIR=/run/jinit/service sv up svc1");
            It.await(Duration.ofSeconds(10), "svc1 up again", () -> status(c, "/run/jinit/service/svc1").startsWith("run:"));

            stopsGracefully(c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "baseimage"})
    void readOnlyRootWithoutWritableRunSaysPerServiceWhyAndWaitForServicesFailsFast(String base) {
        try (MyInitContainer c = new Profile(null, true, List.of("/tmp"), false)
                .apply(It.myInit(image(base, false)))
                .withMyInitCommand("--wait-for-services=40s", "--", "sleep", "1000")
                .expectingExit()) {
            long t0 = System.nanoTime();
            c.start();
            int status = c.awaitExit(Duration.ofSeconds(60));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String log = c.getLogs();
            assertThat(status).as(log).isEqualTo(1);
            assertThat(took).as("not the 40 s of --wait-for-services; log:\n%s", log).isLessThan(Duration.ofSeconds(20));
            for (String svc : List.of("svc1", "svc2")) {
                assertThat(log.lines().filter(l -> l.startsWith("*** Service " + svc + " cannot be supervised: ")).toList())
                        .as(log).singleElement().asString()
                        .contains("Read-only file system (EROFS)", "/run/jinit");
            }
            assertThat(log).contains("*** Services can never be ready, they cannot be supervised: ");
            assertThat(log).doesNotContain("Running sleep");
        }
    }

    @ParameterizedTest(name = "{0} as {1}")
    @org.junit.jupiter.params.provider.CsvSource({"base, 1000:1000", "baseimage, 1000:1000",
            "base, 123456:0", "baseimage, 123456:0"})
    void aNonRootUserRunsTheServicesAndEveryWarningNamesItsReason(String base, String user) {
        try (MyInitContainer c = container(image(base, false), new Profile(user, false, List.of(), false), user)
                .withMyInitCommand("--quiet")) {
            c.start();
            awaitHealthy(c);
            String uid = user.substring(0, user.indexOf(':'));
            assertThat(It.ps(c)).as("every process runs as %s", user)
                    .allSatisfy(p -> assertThat(execResult(c, "stat", "-c", "%u", "/proc/" + p.pid()).getStdout().strip())
                            .as("%s", p).isIn(uid, ""));
            assertThat(status(c, "/run/jinit/service/svc1")).startsWith("run:");
            List<String> lines = initLines(c);
            assertThat(lines).as("the env export cannot work as %s", user).contains(
                    "*** Cannot export the container environment: /etc/container_environment: Permission denied (EACCES)");
            assertThat(lines).as("each warning names its errno").allMatch(l -> l.matches(".*\\(E[A-Z]+\\).*"));
            stopsGracefully(c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "baseimage"})
    void noCapabilitiesAndNoNewPrivilegesCostNoWarning(String base) {
        try (MyInitContainer c = container(image(base, true), new Profile(null, false, List.of(), true), "0:0")
                .withMyInitCommand("--quiet")) {
            c.start();
            awaitHealthy(c);
            if (base.equals("baseimage")) {
                assertThat(status(c, "/etc/service/syslog-ng")).as(c.getLogs()).startsWith("run:");
                assertThat(status(c, "/etc/service/cron")).as(c.getLogs()).startsWith("run:");
            }
            // at most one line, and only when something asked for did not happen: nothing here
            assertThat(initLines(c)).as(c.getLogs()).isEmpty();
            stopsGracefully(c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "baseimage"})
    void theWholeRestrictedProfile(String base) {
        Profile restricted = new Profile("1000:1000", true, List.of("/run", "/tmp"), true);
        try (MyInitContainer c = container(image(base, false), restricted, "1000:1000")) {
            c.start();
            awaitHealthy(c);
            assertThat(status(c, "/run/jinit/service/svc2")).startsWith("run:").contains("; run: log:");
            assertThat(c.getLogs()).contains("svc1 up as 1000:1000", "svc2-log: svc2 up as 1000:1000");
            stopsGracefully(c);
        }
    }
}
