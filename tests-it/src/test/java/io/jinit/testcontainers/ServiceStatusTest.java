package io.jinit.testcontainers;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceStatusTest {

    @Test
    void runningServiceWithLogService() {
        ServiceStatus s = ServiceStatus.parse("cron", true,
                "run: /etc/service/cron: (pid 42) 17s; run: log: (pid 40) 17s");
        assertThat(s.state()).isEqualTo(ServiceStatus.State.RUN);
        assertThat(s.pid()).isEqualTo(OptionalLong.of(42));
        assertThat(s.seconds()).isEqualTo(OptionalLong.of(17));
        assertThat(s.isSettled()).isTrue();
    }

    @Test
    void downServiceWithDownFile() {
        ServiceStatus s = ServiceStatus.parse("sshd", false, "down: /etc/service/sshd: 5s");
        assertThat(s.state()).isEqualTo(ServiceStatus.State.DOWN);
        assertThat(s.pid()).isEmpty();
        assertThat(s.seconds()).isEqualTo(OptionalLong.of(5));
        assertThat(s.isSettled()).isTrue();
    }

    @Test
    void downButNormallyUpIsNotSettled() {
        ServiceStatus s = ServiceStatus.parse("web", true, "down: /etc/service/web: 1s, normally up, want up");
        assertThat(s.state()).isEqualTo(ServiceStatus.State.DOWN);
        assertThat(s.seconds()).isEqualTo(OptionalLong.of(1));
        assertThat(s.isSettled()).isFalse();
    }

    @Test
    void runningWithDownFileIsNotSettled() {
        ServiceStatus s = ServiceStatus.parse("web", false, "run: /etc/service/web: (pid 7) 0s, normally down");
        assertThat(s.pid()).isEqualTo(OptionalLong.of(7));
        assertThat(s.seconds()).isEqualTo(OptionalLong.of(0));
        assertThat(s.isSettled()).isFalse();
    }

    @Test
    void unsupervisedLines() {
        for (String line : List.of(
                "warning: /etc/service/x: unable to open /etc/service/x/supervise/ok: file does not exist",
                "fail: /etc/service/x: runsv not running",
                "something else entirely",
                "")) {
            ServiceStatus s = ServiceStatus.parse("x", true, line);
            assertThat(s.state()).as(line).isEqualTo(ServiceStatus.State.UNSUPERVISED);
            assertThat(s.pid()).isEmpty();
            assertThat(s.isSettled()).isFalse();
            assertThat(s.line()).isEqualTo(line);
        }
    }

    @Test
    void finishState() {
        ServiceStatus s = ServiceStatus.parse("x", true, "finish: /etc/service/x: (pid 99) 2s");
        assertThat(s.state()).isEqualTo(ServiceStatus.State.FINISH);
        assertThat(s.pid()).isEqualTo(OptionalLong.of(99));
    }

    @Test
    void probeOutputIsPairedAndSorted() {
        List<ServiceStatus> l = MyInitContainer.parseProbe("""
                service 1 syslog
                status run: /etc/service/syslog: (pid 30) 3s
                service 0 sshd
                status down: /etc/service/sshd: 3s
                service 1 cron
                status run: /etc/service/cron: (pid 31) 3s
                """);
        assertThat(l).extracting(ServiceStatus::name).containsExactly("cron", "sshd", "syslog");
        assertThat(l).extracting(ServiceStatus::normallyUp).containsExactly(true, false, true);
        assertThat(l).allMatch(ServiceStatus::isSettled);
    }

    @Test
    void commandLineOfMyInit() {
        MyInitCommandLine c = MyInitCommandLine.parse("/sbin/my_init",
                List.of("--quiet", "--skip-runit", "--", "sh", "-c", "--skip-runit"));
        assertThat(c.found()).isTrue();
        assertThat(c.quiet()).isTrue();
        assertThat(c.skipRunit()).isTrue();
        assertThat(c.main()).containsExactly("sh", "-c", "--skip-runit");

        MyInitCommandLine wrapped = MyInitCommandLine.parse("tini", List.of("--", "/sbin/my_init", "--root", "/r/", "--", "x"));
        assertThat(wrapped.found()).isTrue();
        assertThat(wrapped.skipRunit()).isFalse();
        assertThat(wrapped.serviceDir()).isEqualTo("/r/etc/service");
        assertThat(wrapped.main()).containsExactly("x");

        MyInitCommandLine mainOptionNotInit = MyInitCommandLine.parse("/sbin/my_init", List.of("--", "prog", "--quiet"));
        assertThat(mainOptionNotInit.quiet()).isFalse();

        assertThat(MyInitCommandLine.parse("/bin/sh", List.of("-c", "x")).found()).isFalse();
    }
}
