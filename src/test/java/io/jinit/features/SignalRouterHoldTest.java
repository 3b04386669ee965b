package io.jinit.features;

import io.jinit.process.Abort;
import io.jinit.process.Reaper;
import io.jinit.process.Signal;
import io.jinit.process.SignalPolicy.Decision.Forward;
import io.jinit.process.SignalRouter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The router keeps the signals that arrive while the main command starts (hold) and hands them over. */
class SignalRouterHoldTest {
    private final Abort abort = new Abort();
    private final SignalRouter router = new SignalRouter(abort, new Reaper(), (signal, decision) -> { });

    private static final int HUP = Signal.HUP.number(), USR1 = Signal.USR1.number(), USR2 = Signal.USR2.number(),
            WINCH = Signal.WINCH.number();

    private static List<Integer> numbers(List<Forward> got) {
        return got.stream().map(Forward::signal).toList();
    }

    @Test
    void signalsWithoutATargetAreDropped() {
        List<Forward> got = new ArrayList<>();
        router.deliver(HUP);
        router.forwardTo(got::add);
        router.deliver(USR1);
        assertThat(numbers(got)).containsExactly(USR1);
    }

    @Test
    void heldSignalsAreDeliveredInOrderWhenTheTargetIsSet() {
        List<Forward> got = new ArrayList<>();
        router.hold();
        router.deliver(HUP);
        router.deliver(WINCH);
        assertThat(got).isEmpty();
        router.forwardTo(got::add);
        router.deliver(USR2);
        assertThat(numbers(got)).containsExactly(HUP, WINCH, USR2);
    }

    @Test
    void aNullTargetDropsTheHeldSignalsAndEndsTheHold() {
        List<Forward> got = new ArrayList<>();
        router.hold();
        router.deliver(HUP);
        router.forwardTo(null);
        router.deliver(USR1);
        router.forwardTo(got::add);
        assertThat(got).isEmpty();
    }

    @Test
    void termAndIntAbortAndAreNeverHeld() {
        List<Forward> got = new ArrayList<>();
        router.hold();
        router.deliver(Signal.TERM.number());
        router.forwardTo(got::add);
        assertThat(abort.signal()).contains(Signal.TERM);
        assertThat(got).isEmpty();
    }
}
