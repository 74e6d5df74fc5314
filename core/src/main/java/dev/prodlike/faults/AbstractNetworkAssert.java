package dev.prodlike.faults;

import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Assertions about what the code under test did on the network while a block ran: how many connections it tried
 * (a retry under {@link NetworkFaults#failNextConnections(int)} makes exactly one more per failure; an open circuit
 * breaker under {@link NetworkFaults#refuse()} makes none) and whether the block succeeded.
 *
 * <pre>{@code
 * try (Fault refused = net.refuse()) {
 *     tripTheBreaker();
 *     assertThatNetwork(net).whenRunning(() -> orders.find(42)).failed().madeNoConnectionAttempts();
 * }
 * }</pre>
 *
 * @param <SELF> the concrete assertion
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public abstract class AbstractNetworkAssert<SELF extends AbstractNetworkAssert<SELF>>
        extends AbstractAssert<SELF, NetworkFaults> {

    private NetworkStats during;
    private Throwable failure;
    private boolean ran;

    /**
     * @param network  the test's proxy
     * @param selfType the concrete assertion's class
     */
    protected AbstractNetworkAssert(NetworkFaults network, Class<?> selfType) {
        super(network, selfType);
    }

    /**
     * Runs {@code block} on this thread and records what went through the proxy meanwhile; an exception it throws is
     * kept for {@link #succeeded()} and {@link #failed()}, not rethrown.
     *
     * @param block the code under test
     * @return this
     */
    public SELF whenRunning(ThrowingCallable block) {
        isNotNull();
        NetworkStats before = actual.stats();
        try {
            block.call();
        } catch (Throwable t) {
            failure = t;
        }
        during = actual.stats().since(before);
        ran = true;
        return myself;
    }

    /** @return this, after verifying that the block returned normally */
    public SELF succeeded() {
        requireRan();
        if (failure != null) {
            failWithMessage(
                    "Expecting the block to succeed but it failed with:%n  %s%nwhile the network saw %s",
                    failure, during);
        }
        return myself;
    }

    /** @return this, after verifying that the block threw */
    public SELF failed() {
        requireRan();
        if (failure == null) {
            failWithMessage("Expecting the block to fail but it succeeded; the network saw %s", during);
        }
        return myself;
    }

    /**
     * @param expected the exact number of connections the block opened or tried to (each retry is one)
     * @return this
     */
    public SELF madeConnectionAttempts(long expected) {
        requireRan();
        if (during.connectionAttempts() != expected) {
            failWithMessage(
                    "Expecting the block to make exactly %s connection attempt(s) but it made %s (%s failed)" + "%s",
                    expected, during.connectionAttempts(), during.failedConnections(), outcome());
        }
        return myself;
    }

    /**
     * @param max the most connection attempts allowed (e.g. what a circuit breaker lets through half-open)
     * @return this
     */
    public SELF madeAtMostConnectionAttempts(long max) {
        requireRan();
        if (during.connectionAttempts() > max) {
            failWithMessage(
                    "Expecting the block to make at most %s connection attempt(s) but it made %s (%s failed):"
                            + " a circuit breaker that is open makes none%s",
                    max, during.connectionAttempts(), during.failedConnections(), outcome());
        }
        return myself;
    }

    /** @return this, after verifying that the block tried no connection at all (an open circuit breaker) */
    public SELF madeNoConnectionAttempts() {
        return madeAtMostConnectionAttempts(0);
    }

    /** @return this, after verifying that no byte reached the server (an open breaker on a live connection) */
    public SELF sentNothingToServer() {
        requireRan();
        if (during.bytesToServer() != 0) {
            failWithMessage(
                    "Expecting the block to send nothing to the server but it sent %s bytes over %s new"
                            + " connection attempt(s)%s",
                    during.bytesToServer(), during.connectionAttempts(), outcome());
        }
        return myself;
    }

    /** @return what went through the proxy while the block ran */
    public NetworkStats stats() {
        requireRan();
        return during;
    }

    private String outcome() {
        return failure == null ? "; the block succeeded" : "; the block failed with:\n  " + failure;
    }

    private void requireRan() {
        if (!ran) {
            throw new IllegalStateException("Run the code under test first: assertThatNetwork(net).whenRunning(() ->"
                    + " ...) and then the checks.");
        }
    }
}
