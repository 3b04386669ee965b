package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option reads a default from {@code MY_INIT_<OPTION>} and the command line wins. (Other
 * classes cover MY_INIT_FORWARD_SIGNALS, MY_INIT_REWRITE, MY_INIT_STOP_SIGNAL,
 * MY_INIT_WAIT_FOR_SERVICES, MY_INIT_WAIT_FOR_DESCENDANTS, MY_INIT_MAIN_TIMEOUT,
 * MY_INIT_LOG_FORMAT and the kill-all pair.)
 */
@Timeout(300)
class EnvDefaultsIT {
    @TempDir
    Path root;

    private final List<Long> cleanup = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        cleanup.forEach(Shell::killQuietly);
    }

    /**
     * Each row: a variable, its value, command-line options ('' for none), the main command, and
     * what the run must show: the exit status and a check ({@link #check}).
     */
    @ParameterizedTest(name = "[{index}] {0}={1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            MY_INIT_SUCCESS_EXIT_STATUS | 3          |                          | exit 3              | 0   | -
            MY_INIT_SUCCESS_EXIT_STATUS | 3,4        |                          | exit 4              | 0   | -
            MY_INIT_SUCCESS_EXIT_STATUS | 3          | --success-exit-status 4  | exit 3              | 3   | -
            MY_INIT_QUIET               | 1          |                          | exit 0              | 0   | stderr-empty
            MY_INIT_QUIET               | no         |                          | exit 0              | 0   | stderr-has:*** Running sh -c exit 0...
            MY_INIT_VERBOSE             | true       |                          | exit 0              | 0   | stderr-has:*** sh started as PID
            MY_INIT_SKIP_RUNIT          | yes        |                          | exit 0              | 0   | stderr-lacks:Booting runit
            MY_INIT_SKIP_STARTUP_FILES  | 1          |                          | exit 0              | 0   | no-startup
            MY_INIT_SKIP_STARTUP_FILES  | 0          |                          | exit 0              | 0   | startup
            MY_INIT_LOG_FORMAT          | json       |                          | exit 0              | 0   | json
            MY_INIT_LOG_FORMAT          | json       | --log-format=text        | exit 0              | 0   | text
            MY_INIT_MAIN_TIMEOUT        | 1s         |                          | sleep 60            | 124 | -
            MY_INIT_MAIN_TIMEOUT        | 1s         | --main-timeout 1m        | sleep 2             | 0   | -
            MY_INIT_KILL_ALL            | never      |                          | sleep 120 & echo $! > $M/daemon.pid | 0 | daemon-survives
            MY_INIT_KILL_ALL            | never      | --kill-all=auto          | sleep 120 & echo $! > $M/daemon.pid | 0 | daemon-killed
            MY_INIT_ROOT                | /nonexistent |                        | exit 0              | 0   | startup
            """)
    void theVariableIsTheDefaultAndTheCommandLineWins(String name, String value, String options, String main,
                                                     int status, String check) throws Exception {
        Shell.script(root.resolve("etc/my_init.d/10-mark"), "touch $M/startup.ran");
        Init init = Init.in(root).env(name, value);
        List<String> args = new ArrayList<>();
        if (options != null) args.addAll(List.of(options.split(" ")));
        if (!name.equals("MY_INIT_SKIP_RUNIT")) args.add("--skip-runit");
        args.addAll(List.of("--", "sh", "-c", main));
        Result r = init.args(args.toArray(String[]::new)).run();
        if (Files.exists(root.resolve("daemon.pid"))) cleanup.add(Long.parseLong(Files.readString(root.resolve("daemon.pid")).strip()));
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(status);
        check(check, r);
    }

    private void check(String check, Result r) throws Exception {
        String d = r.describe();
        String[] kv = check.split(":", 2);
        switch (kv[0]) {
            case "-" -> { }
            case "stderr-empty" -> assertThat(r.stderr()).as(d).isEmpty();
            case "stderr-has" -> assertThat(r.stderr()).as(d).contains(kv[1]);
            case "stderr-lacks" -> assertThat(r.stderr()).as(d).doesNotContain(kv[1]).isNotEmpty();
            case "startup" -> assertThat(root.resolve("startup.ran")).as(d).exists();
            case "no-startup" -> assertThat(root.resolve("startup.ran")).as(d).doesNotExist();
            case "json" -> assertThat(r.stderrLines()).as(d).isNotEmpty().allMatch(l -> l.startsWith("{\"time\":"));
            case "text" -> assertThat(r.stderrLines()).as(d).isNotEmpty().allMatch(l -> l.startsWith("*** "));
            case "daemon-survives", "daemon-killed" -> {
                long daemon = Shell.pidFrom(root.resolve("daemon.pid"), Fixtures.SOON);
                assertThat(Shell.running(daemon)).as(d).isEqualTo(kv[0].equals("daemon-survives"));
            }
            default -> throw new IllegalArgumentException(check);
        }
    }
}
