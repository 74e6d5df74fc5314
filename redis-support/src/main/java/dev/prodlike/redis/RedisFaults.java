package dev.prodlike.redis;

import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Faults for resilience tests of the service's Redis client: a paused server, dropped connections, an outage.
 *
 * <pre>{@code
 * try (RedisFaults.Outage outage = redis.faults().outage()) {
 *     assertThat(service.findOrder(42)).isPresent();     // served from the database while Redis is down
 * }                                                       // Redis is back, on the same port, empty
 * }</pre>
 *
 * <p>{@link #pause(Duration)} and {@link #outage()} act on the whole server, so prodlike first waits until the other
 * tests using that server have finished and holds new ones back until this test ends; parallel tests are never hit
 * by another test's fault. (A test that is itself waiting to inject a fault may see its connections dropped by the
 * outage of a test that got the server first; its keyspace is kept.) {@link #dropConnections()} only touches connections of this test's database. Everything is
 * bounded: a pause ends by itself, and a server still down when the test ends is brought back. Faults act only on
 * servers prodlike started (all bound to 127.0.0.1); on an external server ({@code provider=external}) pause and
 * outage throw {@link UnsupportedOperationException}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface RedisFaults {

    /**
     * @return network faults between the code under test and this test's keyspace (latency, hangs, refused and cut
     *     connections), injected by the test's own proxy; see {@link dev.prodlike.faults.NetworkFaults}
     * @throws UnsupportedOperationException with {@code network.proxy=off} or a TLS server
     * @since 0.1.0
     */
    dev.prodlike.faults.NetworkFaults network();

    /** The longest pause {@link #pause(Duration)} accepts: {@value} seconds. */
    long MAX_PAUSE_SECONDS = 30;

    /**
     * Makes the server stop answering every client for {@code duration} (CLIENT PAUSE ... ALL); commands sent
     * meanwhile wait and are answered when the pause ends. Returns at once.
     *
     * @param duration from 1 ms to {@value #MAX_PAUSE_SECONDS} s
     * @throws IllegalArgumentException      when the duration is out of range
     * @throws UnsupportedOperationException on an external server
     */
    void pause(Duration duration);

    /**
     * Closes every client connection of this test's database (CLIENT KILL), as a network failure or a server-side
     * timeout would. prodlike's own connections (the recorder's subscription and the control connection that
     * assertions use) are spared, so recording continues. Lettuce clients with auto-reconnect reconnect by themselves.
     *
     * @return how many connections were closed
     */
    int dropConnections();

    /**
     * Stops the server until the returned handle is closed, then starts it again on the same port. Connections are
     * refused meanwhile; afterwards this test's keyspace is empty, as a cache that restarted without persistence is.
     * (Keyspaces of other tests waiting for the server are kept: they are snapshotted with SAVE just before the stop
     * and reloaded, and the snapshot file is deleted once the server is back.)
     *
     * @return the outage; close it to bring the server back (also done when the test ends)
     * @throws UnsupportedOperationException on an external server
     */
    Outage outage();

    /**
     * A running outage.
     *
     * @since 0.1.0
     */
    interface Outage extends AutoCloseable {
        /** Brings the server back on the same port and waits until it answers. Idempotent. */
        @Override
        void close();
    }
}
