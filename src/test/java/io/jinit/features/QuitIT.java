package io.jinit.features;

import io.jinit.features.Init.Result;
import io.jinit.features.Init.Running;
import io.jinit.features.Init.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGQUIT is the init's like any forwarded signal: with forwarding off it is received and
 * dropped, and the init neither dies, stops nor prints a thread dump (HotSpot has no handler for
 * it: the JVM runs with {@code -Xrs} and QUIT blocked).
 */
@Timeout(240)
class QuitIT {
    @TempDir
    Path root;

    @Test
    void withForwardingOffQuitIsReceivedAndDroppedAndTheInitGoesOn() throws Exception {
        Shell.script(root.resolve("main.sh"), """
                trap "echo QUIT >> $M/main.got" QUIT
                touch $M/main.ready
                while [ ! -f $M/stop ]; do sleep 0.1; done
                exit 4
                """);
        try (Running init = Init.in(root).asPid1().args("-v", "--forward-signals=none", "--skip-runit", "--", "sh",
                root.resolve("main.sh").toString()).start()) {
            Shell.awaitFile(root.resolve("main.ready"), init);
            init.signal("QUIT");
            Shell.await("the init's 'Received SIGQUIT' line", Duration.ofSeconds(20),
                    () -> init.stderr().contains("Received SIGQUIT"));
            assertThat(init.alive()).isTrue();
            assertThat(Shell.state(init.initPid())).as("the init is not stopped").isNotEqualTo("T");
            Files.createFile(root.resolve("stop"));
            Result r = init.await();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(4);
            assertThat(r.stdout()).as("no thread dump").doesNotContain("Full thread dump");
            assertThat(r.stderrLines()).contains("*** sh exited with status 4.");
            assertThat(root.resolve("main.got")).as("QUIT is not forwarded").doesNotExist();
        }
    }
}
