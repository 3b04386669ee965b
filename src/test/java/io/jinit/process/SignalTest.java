package io.jinit.process;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalTest {
    @Test
    void parsesNamesWithAndWithoutPrefixAndNumbers() {
        assertThat(Signal.parse("TERM")).isEqualTo(Signal.TERM);
        assertThat(Signal.parse("sigquit")).isEqualTo(Signal.QUIT);
        assertThat(Signal.parse("9")).isEqualTo(Signal.KILL);
        assertThat(Signal.parse(" SIGWINCH ")).isEqualTo(Signal.WINCH);
    }

    @Test
    void rejectsUnknownSignalsWithTheTextInTheMessage() {
        assertThatThrownBy(() -> Signal.parse("NOPE")).hasMessageContaining("'NOPE'");
        assertThatThrownBy(() -> Signal.parse("99")).hasMessageContaining("'99'");
        assertThatThrownBy(() -> Signal.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Every constant's number is the one this system gives its name: bash's {@code kill -l N}
     * (which reads the C library's table, not ours) for N = 1..31, and every number has a constant.
     */
    @Test
    void numbersMatchTheSystemsSignalTable() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "for i in $(seq 1 31); do echo \"$i $(kill -l $i)\"; done")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        java.util.Map<Integer, String> system = new java.util.TreeMap<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.strip().split(" ");
            system.put(Integer.parseInt(f[0]), f[1].replaceFirst("^SIG", ""));
        }
        java.util.Map<Integer, String> ours = new java.util.TreeMap<>();
        for (Signal s : Signal.values()) ours.put(s.number(), s.name());
        assertThat(ours).isEqualTo(system);
        assertThat(Signal.describe(9)).isEqualTo("SIGKILL (9)");
    }
}
