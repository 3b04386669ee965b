package io.jinit.process;

import io.jinit.process.SignalPolicy.Decision;
import io.jinit.process.SignalPolicy.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The signal table against a literal copy of README "Signals" (written here, not derived from the
 * product), and the decision function's option rules.
 */
class SignalPolicyTest {
    /** README "Signals", row by row. */
    static final Map<Integer, Row> README = new TreeMap<>();

    static {
        IntStream.rangeClosed(1, 64).forEach(n -> README.put(n, Row.FORWARD));
        for (int n : new int[] {2, 15}) README.put(n, Row.ABORT);                          // INT, TERM
        README.put(17, Row.REAP);                                                           // CHLD
        for (int n : new int[] {13, 21, 22}) README.put(n, Row.DROP);                       // PIPE, TTIN, TTOU
        for (int n : new int[] {9, 19, 32, 33, 60}) README.put(n, Row.NOT_READ);         // KILL STOP, glibc, HotSpot SR
        for (int n : new int[] {4, 7, 8, 11}) README.put(n, Row.RELAYED_FAULT);            // ILL BUS FPE SEGV (relayed when sent)
    }

    /** The signals every thread of the init must block (what the launcher's env --block-signal must cover). */
    static final long READ_MASK = 0xf7ff_fffe_7ffb_fa37L;

    @Test
    void everySignalHasTheRowReadmeSays() {
        for (int n = 1; n <= 64; n++) {
            assertThat(SignalPolicy.row(n)).as("signal %d (%s)", n, Signal.nameOf(n)).isEqualTo(README.get(n));
        }
        assertThatThrownBy(() -> SignalPolicy.row(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignalPolicy.row(65)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReadMaskIsTheLiteralOne() {
        assertThat(Long.toHexString(SignalPolicy.readMask())).isEqualTo(Long.toHexString(READ_MASK));
        assertThat(SignalFd.mask()).isEqualTo(READ_MASK);
    }

    @Test
    void theDecisionAppliesForwardRewriteAndDrop() {
        SignalPolicy group = new SignalPolicy(SignalPolicy.Forward.GROUP, Map.of(Signal.USR1, Signal.HUP),
                Set.of(Signal.WINCH), Signal.TERM);
        assertThat(group.decide(10)).isEqualTo(new Decision.Forward(1, true));
        assertThat(group.decide(37)).isEqualTo(new Decision.Forward(37, true));
        assertThat(group.decide(28)).isEqualTo(new Decision.Drop("--rewrite WINCH:0"));
        assertThat(group.decide(15)).isEqualTo(new Decision.Abort(Signal.TERM));
        assertThat(group.decide(17)).isEqualTo(new Decision.Reap());
        assertThat(group.decide(21)).isInstanceOf(Decision.Drop.class);
        // a SEGV that someone sent, relayed to the signalfd (FaultRelay), is forwarded
        assertThat(group.decide(11)).isEqualTo(new Decision.Forward(11, true));
        SignalPolicy process = new SignalPolicy(SignalPolicy.Forward.PROCESS, Map.of(), Set.of(), Signal.TERM);
        assertThat(process.decide(30)).isEqualTo(new Decision.Forward(30, false));
        SignalPolicy none = new SignalPolicy(SignalPolicy.Forward.NONE, Map.of(), Set.of(), Signal.TERM);
        assertThat(none.decide(3)).isEqualTo(new Decision.Drop("--forward-signals=none"));
        assertThat(none.decide(2)).isEqualTo(new Decision.Abort(Signal.INT));
    }

    @Test
    void theNamesOfTheRealTimeSignals() {
        assertThat(List.of(34, 37, 49, 50, 63, 64).stream().map(Signal::nameOf))
                .containsExactly("SIGRTMIN", "SIGRTMIN+3", "SIGRTMIN+15", "SIGRTMAX-14", "SIGRTMAX-1", "SIGRTMAX");
        assertThat(SignalPolicy.notForwarded())
                .containsExactly("INT", "KILL", "PIPE", "TERM", "CHLD", "STOP", "TTIN", "TTOU",
                        "32", "33", "60");
    }
}
