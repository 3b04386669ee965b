package io.jinit.process;

import io.jinit.posix.Signal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The request to abort the init, made once by the first SIGTERM or SIGINT (my_init's
 * {@code KeyboardInterrupt}). Later requests change nothing, so a second signal never restarts
 * or breaks a shutdown in progress. Waits in {@link KillableCommand} end when it is requested.
 */
public final class Abort {
    private final CompletableFuture<Signal> requested = new CompletableFuture<>();

    /** Requests the abort; only the first call counts. Safe from any thread. */
    public void request(Signal signal) {
        requested.complete(signal);
    }

    /** @return the signal that requested the abort, if any did */
    public Optional<Signal> signal() {
        return Optional.ofNullable(requested.getNow(null));
    }

    /** @return true once an abort has been requested */
    public boolean isRequested() {
        return requested.isDone();
    }

    CompletableFuture<Signal> future() {
        return requested;
    }
}
