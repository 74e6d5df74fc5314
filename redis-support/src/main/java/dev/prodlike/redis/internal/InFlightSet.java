package dev.prodlike.redis.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The {@link InFlightCommands} registered for one test, and the bounded wait for all of them. */
final class InFlightSet {

    private final List<InFlightCommands> trackers = new CopyOnWriteArrayList<>();

    void add(InFlightCommands commands) {
        trackers.add(commands);
    }

    /**
     * @param timeout  how long in total
     * @param testName for messages
     * @return how many commands were still in flight when the wait ended
     */
    int settle(Duration timeout, String testName) {
        if (trackers.isEmpty()) {
            return 0;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int pending = 0;
        for (InFlightCommands commands : trackers) {
            try {
                pending += commands.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while waiting for the application's Redis commands of " + testName
                                + " to complete",
                        e);
            }
        }
        return pending;
    }
}
