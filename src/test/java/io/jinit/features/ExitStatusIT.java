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

/** {@code --success-exit-status N} (repeatable, tini's {@code -e}) maps N to 0. */
@Timeout(240)
class ExitStatusIT {
    @TempDir
    Path root;

    @ParameterizedTest(name = "[{index}] main {0}, mapped {1} -> {2}")
    @CsvSource({
            "'exit 3', '3', 0",
            "'exit 4', '3', 4",
            "'exit 4', '3 4', 0",
            "'exit 0', '3', 0",
            "'kill -TERM $$', '143', 0",
            "'kill -TERM $$', '15', 143",
    })
    void mappedStatusesBecomeZeroOthersStay(String main, String mapped, int expected) throws Exception {
        List<String> args = new ArrayList<>();
        for (String n : mapped.split(" ")) args.addAll(List.of("--success-exit-status", n));
        args.addAll(List.of("--skip-runit", "--", "sh", "-c", main));
        Result r = Init.in(root).args(args.toArray(String[]::new)).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(expected);
    }
}
