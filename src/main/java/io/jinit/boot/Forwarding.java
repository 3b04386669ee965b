package io.jinit.boot;

import io.jinit.process.Signal;
import io.jinit.process.ChildProcess;

import java.util.function.Consumer;

/** Where forwarded signals go ({@code --forward-signals}, {@code --rewrite}). */
final class Forwarding {
    private Forwarding() {}

    /**
     * @return the forwarder to the main command: its process group or the process alone, with
     *     signals rewritten or dropped as configured; null when forwarding is off
     */
    static Consumer<Signal> to(ChildProcess main, InitRuntime rt) {
        BootConfig.Forward forward = rt.config().forward();
        if (forward == BootConfig.Forward.NONE) return null;
        boolean group = forward == BootConfig.Forward.GROUP;
        return received -> {
            Signal sent = rt.config().rewrite().getOrDefault(received, received);
            if (rt.config().droppedSignals().contains(received)) {
                rt.log().debug("signal.dropped", "Dropped " + received.fullName() + ".", "signal", received.number());
                return;
            }
            rt.log().debug("signal.forward", "Forwarding " + sent.fullName() + " to " + main + ".",
                    "signal", sent.number(), "pid", main.pid());
            main.signal(sent, group);
        };
    }

    /** @return the forwarder to runsvdir in runit-only mode (HUP makes it stop the services), as received */
    static Consumer<Signal> toRunit(ChildProcess runit, InitRuntime rt) {
        if (rt.config().forward() == BootConfig.Forward.NONE) return null;
        return received -> {
            rt.log().debug("signal.forward", "Forwarding " + received.fullName() + " to runsvdir.", "signal", received.number());
            runit.signal(received, false);
        };
    }
}
