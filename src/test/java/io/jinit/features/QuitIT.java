package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGQUIT is HotSpot's (a thread dump on the init's stdout); it is not forwarded, and the init
 * keeps going. ({@code --signal-mode=signalfd} forwards QUIT instead: see SignalFdIT.)
 */
@Timeout(240)
class QuitIT {
    @TempDir
    Path root;

    @Test
    void theInitSurvivesQuitPrintsAThreadDumpAndGoesOn() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                trap "echo QUIT >> $M/main.got" QUIT
                touch $M/main.ready
                while [ ! -f $M/stop ]; do sleep 0.1; done
                exit 4
                """);
        try (Running init = Init.in(root).asPid1().args("--skip-runit", "--", "sh", root.resolve("main.sh").toString()).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("QUIT");
            init.signal("QUIT");
            Thread.sleep(1500);
            assertThat(init.alive()).isTrue();
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(4);
            assertThat(r.stdout()).as("HotSpot's thread dump goes to stdout").contains("Full thread dump");
            assertThat(r.stderrLines()).contains("*** sh exited with status 4.");
            assertThat(root.resolve("main.got")).as("QUIT is not forwarded").doesNotExist();
        }
    }
}
