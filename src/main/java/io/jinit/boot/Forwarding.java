package io.jinit.boot;

import io.jinit.process.ChildProcess;
import io.jinit.process.Signal;
import io.jinit.process.SignalPolicy;

import java.util.function.Consumer;

/**
 * Where forwarded signals go once {@link SignalPolicy#decide} has decided to forward them: to the
 * main command (its process group or the process alone, as decided), or in runit-only mode to
 * runsvdir (the process alone).
 */
final class Forwarding {
    private Forwarding() {}

    /** @return the forwarder to the main command */
    static Consumer<SignalPolicy.Decision.Forward> to(ChildProcess main, InitRuntime rt) {
        return forward -> send(rt, forward.signal(), main, main.toString(), forward.toGroup());
    }

    /** @return the forwarder to runsvdir in runit-only mode (HUP makes it stop the services) */
    static Consumer<SignalPolicy.Decision.Forward> toRunit(ChildProcess runit, InitRuntime rt) {
        return forward -> send(rt, forward.signal(), runit, "runsvdir", false);
    }

    private static void send(InitRuntime rt, int signal, ChildProcess target, String name, boolean group) {
        rt.log().debug("signal.forward", "Forwarding " + Signal.nameOf(signal) + " to " + name + ".",
                "signal", signal, "pid", target.pid());
        target.signal(signal, group);
    }
}
