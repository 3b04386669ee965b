package io.jinit.boot;

import io.jinit.process.ChildProcess;
import io.jinit.process.Signal;

import java.util.function.Consumer;

/**
 * Where forwarded signals go, by the run's {@link SignalPolicy} ({@code --forward-signals},
 * {@code --rewrite}): to the main command, or in runit-only mode to runsvdir.
 */
final class Forwarding {
    private Forwarding() {}

    /**
     * @return the forwarder to the main command: its process group or the process alone, with
     *     signals rewritten or dropped as configured; null when forwarding is off
     */
    static Consumer<Signal> to(ChildProcess main, InitRuntime rt) {
        SignalPolicy policy = rt.config().signals();
        if (policy.forward() == SignalPolicy.Forward.NONE) return null;
        boolean group = policy.forward() == SignalPolicy.Forward.GROUP;
        return received -> send(rt, received, main, main.toString(), group);
    }

    /**
     * @return the forwarder to runsvdir in runit-only mode (HUP makes it stop the services), with
     *     signals rewritten or dropped as configured; null when forwarding is off
     */
    static Consumer<Signal> toRunit(ChildProcess runit, InitRuntime rt) {
        if (rt.config().signals().forward() == SignalPolicy.Forward.NONE) return null;
        return received -> send(rt, received, runit, "runsvdir", false);
    }

    private static void send(InitRuntime rt, Signal received, ChildProcess target, String name, boolean group) {
        var outgoing = rt.config().signals().outgoing(received);
        if (outgoing.isEmpty()) {
            rt.log().debug("signal.dropped", "Dropped " + received.fullName() + ".", "signal", received.number());
            return;
        }
        Signal sent = outgoing.get();
        rt.log().debug("signal.forward", "Forwarding " + sent.fullName() + " to " + name + ".",
                "signal", sent.number(), "pid", target.pid());
        target.signal(sent, group);
    }
}
