package io.jinit.features;

import io.jinit.features.Init.Result;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A value the init cannot use, on the command line or in a {@code MY_INIT_*} variable, is one
 * line on stderr naming the option, exit 2, and nothing is started (no startup script, no main).
 * Numbers are ASCII digits only: another script's digits ({@code ٣٠}, Arabic-Indic 30; {@code ３},
 * fullwidth 3) are refused like any other bad value.
 * So is {@code --wait-for-services} with {@code --skip-runit} (every row runs with it): it would wait
 * for services that never start.
 */
@Timeout(300)
class BadValuesIT {
    @TempDir
    Path root;

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --kill-all=sometimes              |                                  | --kill-all
            --rewrite FOO:BAR                 |                                  | --rewrite
            --rewrite USR1                    |                                  | --rewrite
            --rewrite USR1:NOPE               |                                  | --rewrite
            --rewrite INT:HUP                 |                                  | --rewrite
            --rewrite TERM:0                  |                                  | --rewrite
            --stop-signal NOPE                |                                  | --stop-signal
            --stop-signal 99                  |                                  | --stop-signal
            --main-timeout abc                |                                  | --main-timeout
            --main-timeout 5 parsecs          |                                  | --main-timeout
            --forward-signals=everyone        |                                  | --forward-signals
            --log-format=xml                  |                                  | --log-format
            --services-not-ready=maybe        |                                  | --services-not-ready
            --success-exit-status 256         |                                  | --success-exit-status
            --success-exit-status x           |                                  | --success-exit-status
            --wait-for-services=soon          |                                  | --wait-for-services
            --wait-for-descendants=-1         |                                  | --wait-for-descendants
            --no-kill-all-on-exit --kill-all=always |                            | --kill-all
            --rewrite INT:HUP                 |                                  | --rewrite
            --signal-mode=handlers            |                                  | --signal-mode
            --signal-mode=maybe               |                                  | --signal-mode
            --signal-mode=signalfd --kill-all=x |                              | --kill-all
            --wait-for-services               |                                  | --wait-for-services
            --wait-for-services=5s            |                                  | --skip-runit starts none
                                              | MY_INIT_WAIT_FOR_SERVICES=10s    | (from MY_INIT_WAIT_FOR_SERVICES)
                                              | MY_INIT_KILL_ALL=sometimes       | --kill-all
                                              | MY_INIT_MAIN_TIMEOUT=abc         | --main-timeout
                                              | MY_INIT_STOP_SIGNAL=NOPE         | --stop-signal
                                              | MY_INIT_REWRITE=USR1:HUP,WINCH   | --rewrite
                                              | MY_INIT_LOG_FORMAT=yaml          | --log-format
            --main-timeout \u0663\u0660s            |                                  | --main-timeout
            --wait-for-descendants=\u0663           |                                  | --wait-for-descendants
            --stop-signal \u0661\u0665              |                                  | --stop-signal
            --rewrite \u0661\u0660:HUP              |                                  | --rewrite
            --success-exit-status \u0663            |                                  | --success-exit-status
            --main-timeout \uff13s                  |                                  | --main-timeout
                                              | MY_INIT_MAIN_TIMEOUT=\u0663\u0660      | --main-timeout
                                              | KILL_PROCESS_TIMEOUT=\u0663\u0660      | KILL_PROCESS_TIMEOUT
            """)
    void oneLineExit2NothingStarted(String options, String env, String named) throws Exception {
        Init.Shell.script(root.resolve("etc/my_init.d/10-mark"), "touch $M/startup.ran");
        Init init = Init.in(root);
        if (env != null) init.env(env.substring(0, env.indexOf('=')), env.substring(env.indexOf('=') + 1));
        List<String> args = new ArrayList<>();
        if (options != null) {
            // "5 parsecs" stays one argument
            args.addAll(options.startsWith("--main-timeout 5") ? List.of("--main-timeout", "5 parsecs")
                    : List.of(options.split(" ")));
        }
        args.addAll(List.of("--skip-runit", "--", "sh", "-c", "touch $M/main.ran"));
        Result r = init.args(args.toArray(String[]::new)).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
        assertThat(r.stderr()).as(r.describe()).contains(named);
        assertThat(r.stdout()).as(r.describe()).isEmpty();
        assertThat(root.resolve("startup.ran")).as(r.describe()).doesNotExist();
        assertThat(root.resolve("main.ran")).as(r.describe()).doesNotExist();
    }
}
