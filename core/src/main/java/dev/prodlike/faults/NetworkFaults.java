package dev.prodlike.faults;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Network faults between the code under test and one server, injected by the test's own proxy.
 *
 * <p>Every connection prodlike hands out or describes for a test (the JDBC URL, the injected {@code DataSource} and
 * {@code Connection}, the Redis URI and Lettuce connections, and with prodlike-spring the application's own
 * {@code DataSource} and Redis connection factory) runs through a proxy in the test's JVM that belongs to that test
 * alone, from the test's start: a fault reaches connections a pool opened before it, and never a test running in
 * parallel. prodlike's own connections (migrations, cleanup, recorder, assertions) go to the server directly.
 *
 * <pre>{@code
 * NetworkFaults net = db.faults().network();
 * try (Fault hung = net.hang()) {
 *     assertThatCall(() -> orders.find(42)).failsWithin(Duration.ofSeconds(3));
 * }
 * }</pre>
 *
 * <p>Faults of different kinds compose (latency and bandwidth, latency and a cut after N bytes, a hang over a
 * latency, ...). A second fault of a kind already in effect is refused with an {@link IllegalStateException}: close
 * the first one to change it. Every fault ends when closed and, at the latest, when the test that injected it ends.
 * The exact socket-level semantics and which client timeout each fault trips are in {@code docs/faults.md}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public interface NetworkFaults {

    /**
     * Delays every byte the server sends back by {@code latency}: each round trip (and each connection's login)
     * takes at least that much longer. Order is kept; throughput is not otherwise limited.
     *
     * @param latency added to every reply, from 1 ms to 10 minutes
     * @return the fault
     */
    default Fault latency(Duration latency) {
        return latency(latency, Duration.ZERO, Direction.TO_CLIENT);
    }

    /**
     * @param latency added to every reply
     * @param jitter  a further delay drawn uniformly from 0 to {@code jitter} (order is still kept)
     * @return the fault
     * @see #latency(Duration)
     */
    default Fault latency(Duration latency, Duration jitter) {
        return latency(latency, jitter, Direction.TO_CLIENT);
    }

    /**
     * @param latency   added to every chunk of bytes going {@code direction}
     * @param jitter    a further delay drawn uniformly from 0 to {@code jitter}
     * @param direction which way is delayed; {@link Direction#BOTH} delays each way, so a round trip takes at least
     *                  twice {@code latency} longer
     * @return the fault
     */
    Fault latency(Duration latency, Duration jitter, Direction direction);

    /**
     * A black hole: live connections stay open but nothing is relayed either way, and new connects do not complete
     * (the proxy stops accepting and its accept queue is full, so the client's SYN goes unanswered) until the fault
     * ends; then held bytes flow and waiting connects complete at the client's next SYN retry.
     *
     * @return the fault
     */
    Fault hang();

    /**
     * New connections fail at once (accepted, then reset before any byte is relayed) and every live connection is
     * reset now. Failed attempts are counted in {@link #stats()}.
     *
     * @return the fault
     */
    Fault refuse();

    /**
     * Resets (TCP RST) every connection open through the proxy now; new connections succeed.
     *
     * @return how many were reset
     */
    int resetConnections();

    /**
     * Cuts replies off midway: each connection is reset once {@code bytes} more bytes have reached the client
     * (counted per connection from the fault's start); exactly that many are delivered.
     *
     * @param bytes at least 0
     * @return the fault
     */
    default Fault resetAfterBytes(long bytes) {
        return resetAfterBytes(bytes, Direction.TO_CLIENT);
    }

    /**
     * @param bytes     at least 0
     * @param direction which way is counted ({@link Direction#BOTH}: the sum of both ways)
     * @return the fault
     * @see #resetAfterBytes(long)
     */
    Fault resetAfterBytes(long bytes, Direction direction);

    /**
     * Limits each connection's replies to {@code bytesPerSecond}.
     *
     * @param bytesPerSecond at least 1
     * @return the fault
     */
    default Fault bandwidth(long bytesPerSecond) {
        return bandwidth(bytesPerSecond, Direction.TO_CLIENT);
    }

    /**
     * @param bytesPerSecond at least 1, per connection and direction
     * @param direction      which way is limited
     * @return the fault
     */
    Fault bandwidth(long bytesPerSecond, Direction direction);

    /**
     * Deterministic flapping: the next {@code count} connection attempts fail as under {@link #refuse()}, later ones
     * succeed. Live connections are not touched. The fault is used up (and inactive) after {@code count} failures.
     *
     * @param count at least 1
     * @return the fault; closing it early lets the remaining attempts succeed
     */
    Fault failNextConnections(int count);

    /** @return connection attempts, failures, live connections and bytes each way since the test started */
    NetworkStats stats();

    /** @return where the test's proxy listens (127.0.0.1): what the code under test connects to */
    InetSocketAddress address();

    /** @return the server behind the proxy, as the provider gave it (prodlike's own connections go there) */
    InetSocketAddress target();
}
