package dev.prodlike.postgres;

import org.apiguardian.api.API;

/**
 * Faults injected into one test database, for testing how the service copes. They affect only the test's own
 * database, so tests running in parallel are not disturbed.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface DatabaseFaults {

    /**
     * @return network faults between the code under test and this database (latency, hangs, refused and cut
     *     connections), injected by the test's own proxy; see {@link dev.prodlike.faults.NetworkFaults}
     * @throws UnsupportedOperationException with {@code network.proxy=off}
     * @since 0.1.0
     */
    dev.prodlike.faults.NetworkFaults network();

    /**
     * Terminates every open connection to this database (as a failover or a network cut would); new connections
     * succeed.
     *
     * @return how many connections were terminated
     */
    int terminateConnections();

    /**
     * Makes the database unreachable until the returned handle is closed: open connections are terminated and new
     * ones are refused.
     *
     * <pre>{@code
     * try (AutoCloseable outage = db.faults().outage()) {
     *     assertThat(health.check()).isEqualTo(DOWN);
     * }
     * }</pre>
     *
     * @return closing it restores service
     */
    Outage outage();

    /** An outage in progress; {@link #close()} ends it. */
    interface Outage extends AutoCloseable {
        /** Restores service. Idempotent. */
        @Override
        void close();
    }
}
