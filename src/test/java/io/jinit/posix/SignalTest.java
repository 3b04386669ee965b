package io.jinit.posix;

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

    @Test
    void numbersMatchLinux() {
        assertThat(Signal.HUP.number()).isEqualTo(1);
        assertThat(Signal.USR1.number()).isEqualTo(10);
        assertThat(Signal.TERM.number()).isEqualTo(15);
        assertThat(Signal.CHLD.number()).isEqualTo(17);
        assertThat(Signal.WINCH.number()).isEqualTo(28);
        assertThat(Signal.describe(9)).isEqualTo("SIGKILL (9)");
    }
}
