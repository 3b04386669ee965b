package io.jinit.features;

import io.jinit.process.Signal;
import io.jinit.process.Abort;
import io.jinit.process.SignalRouter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The router keeps the signals that arrive while the main command starts (hold) and hands them over. */
class SignalRouterHoldTest {
    private final Abort abort = new Abort();
    private final SignalRouter router = new SignalRouter(abort, s -> { });

    @Test
    void signalsWithoutATargetAreDropped() {
        List<Signal> got = new ArrayList<>();
        router.deliver(Signal.HUP);
        router.forwardTo(got::add);
        router.deliver(Signal.USR1);
        assertThat(got).containsExactly(Signal.USR1);
    }

    @Test
    void heldSignalsAreDeliveredInOrderWhenTheTargetIsSet() {
        List<Signal> got = new ArrayList<>();
        router.hold();
        router.deliver(Signal.HUP);
        router.deliver(Signal.WINCH);
        assertThat(got).isEmpty();
        router.forwardTo(got::add);
        router.deliver(Signal.USR2);
        assertThat(got).containsExactly(Signal.HUP, Signal.WINCH, Signal.USR2);
    }

    @Test
    void aNullTargetDropsTheHeldSignalsAndEndsTheHold() {
        List<Signal> got = new ArrayList<>();
        router.hold();
        router.deliver(Signal.HUP);
        router.forwardTo(null);
        router.deliver(Signal.USR1);
        router.forwardTo(got::add);
        assertThat(got).isEmpty();
    }

    @Test
    void termAndIntAbortAndAreNeverHeld() {
        List<Signal> got = new ArrayList<>();
        router.hold();
        router.deliver(Signal.TERM);
        router.forwardTo(got::add);
        assertThat(abort.signal()).contains(Signal.TERM);
        assertThat(got).isEmpty();
    }
}
