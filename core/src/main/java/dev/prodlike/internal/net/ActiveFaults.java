package dev.prodlike.internal.net;

import dev.prodlike.faults.Direction;
import dev.prodlike.faults.Fault;
import dev.prodlike.internal.CurrentTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The faults in effect on one proxy: one of each kind at a time (kinds compose), each switched on and off on the
 * proxy's loop thread, so it takes effect between two chunks of bytes, and each ended by its {@link Fault#close()}, by
 * its test's end or by the proxy's close.
 */
final class ActiveFaults {

    enum Kind {
        LATENCY,
        HANG,
        REFUSE,
        RESET_AFTER,
        BANDWIDTH,
        FAIL_NEXT
    }

    private final String proxyName;
    private final ProxyLoop loop;
    private final BooleanSupplier listening;
    private final Map<Kind, Active> active = new EnumMap<>(Kind.class);
    private boolean closed; // guarded by active
    private boolean started; // guarded by active

    /**
     * @param proxyName for messages
     * @param loop      the proxy's loop, where fault state changes
     * @param listening whether the proxy still listens (once it has stopped, a fault's end changes nothing)
     */
    ActiveFaults(String proxyName, ProxyLoop loop, BooleanSupplier listening) {
        this.proxyName = proxyName;
        this.loop = loop;
        this.listening = listening;
    }

    /**
     * Starts a fault: {@code on} runs on the loop now, {@code off} there when the fault ends.
     *
     * @throws IllegalStateException when one of its kind is still in effect, or the proxy is closed
     */
    Active start(Kind kind, String description, Consumer<Active> on, Runnable off) {
        Active fault;
        synchronized (active) {
            requireOpen();
            Active running = active.get(kind);
            if (running != null && running.isActive()) {
                throw new IllegalStateException("Cannot start '" + description + "' on " + proxyName + ": '"
                        + running.description() + "' is still in effect there.\nFaults of different kinds compose;"
                        + " one of each kind at a time. Close the first one (try-with-resources) to change it.");
            }
            fault = new Active(kind, description, off);
            active.put(kind, fault);
            started = true;
        }
        loop.call(() -> {
            on.accept(fault);
            return null;
        });
        CurrentTest.onThisThread().ifPresent(test -> test.onEnd(fault::close));
        return fault;
    }

    /** @throws IllegalStateException when the proxy is closed (its test has ended) */
    void requireOpen() {
        synchronized (active) {
            if (closed) {
                throw new IllegalStateException(
                        "The network proxy of " + proxyName + " is closed: its test has ended.");
            }
        }
    }

    /** @return whether any fault was started (in effect or ended since) */
    boolean anyStarted() {
        synchronized (active) {
            return started;
        }
    }

    /**
     * Ends every fault in effect; no fault can start afterwards.
     *
     * @return false when they were ended before (the proxy is closing or closed already)
     */
    boolean endAll() {
        List<Active> running;
        synchronized (active) {
            if (closed) {
                return false;
            }
            closed = true;
            running = new ArrayList<>(active.values());
        }
        running.forEach(Active::close);
        return true;
    }

    /** One fault in effect. */
    final class Active implements Fault {
        private final Kind kind;
        private final String description;
        private final Runnable off;
        private volatile boolean ended;

        private Active(Kind kind, String description, Runnable off) {
            this.kind = kind;
            this.description = description;
            this.off = off;
        }

        /** It has done all it was started for, e.g. the last failure of failNextConnections (loop thread). */
        void usedUp() {
            ended = true;
            synchronized (active) {
                active.remove(kind, this);
            }
        }

        @Override
        public void close() {
            if (ended) {
                return;
            }
            ended = true;
            synchronized (active) {
                active.remove(kind, this);
            }
            if (listening.getAsBoolean()) {
                loop.call(() -> {
                    off.run();
                    return null;
                });
            }
        }

        @Override
        public boolean isActive() {
            return !ended;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public String toString() {
            return description + " on " + proxyName + (ended ? " (ended)" : "");
        }
    }

    private static final Duration MAX_DURATION = Duration.ofMinutes(10);

    static void requireDuration(String what, Duration d, Duration min) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(what + " must be from " + min.toMillis() + " ms to "
                    + MAX_DURATION.toMinutes() + " minutes but was: " + d);
        }
    }

    static void require(Direction direction) {
        if (direction == null) {
            throw new IllegalArgumentException("direction must not be null: TO_SERVER, TO_CLIENT or BOTH");
        }
    }
}
