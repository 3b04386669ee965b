package io.jinit.process;

/**
 * Which abort requests (SIGTERM/SIGINT, {@link Abort#request}) cut a wait short: the three kinds
 * of wait the init has. A wait is given one of them instead of a count of requests.
 */
public sealed interface Cutoff {
    /** Any request, one made before the wait began included: the waits of a run not aborted yet. */
    Cutoff ANY_REQUEST = new AnyRequest();
    /** No request: the wait ends only by its condition or its limit (a stop, the final kill-all). */
    Cutoff NO_REQUEST = new NoRequest();

    /**
     * @param requests how many requests have been made so far ({@link Abort#requests()})
     * @return true when those requests end a wait with this cutoff
     */
    boolean cuts(int requests);

    /** Any request cuts the wait. */
    record AnyRequest() implements Cutoff {
        @Override
        public boolean cuts(int requests) {
            return requests > 0;
        }
    }

    /**
     * Only requests made after a step began cut it ({@link Abort#fromNow()}): a shutdown that began
     * without an abort gives way to the next SIGTERM/SIGINT, not to one it has already counted.
     *
     * @param seen how many requests had been made when the step began
     */
    record RequestsAfter(int seen) implements Cutoff {
        @Override
        public boolean cuts(int requests) {
            return requests > seen;
        }
    }

    /** No request cuts the wait. */
    record NoRequest() implements Cutoff {
        @Override
        public boolean cuts(int requests) {
            return false;
        }
    }
}
