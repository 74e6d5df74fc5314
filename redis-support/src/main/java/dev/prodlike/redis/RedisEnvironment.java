package dev.prodlike.redis;

import java.net.URI;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The Redis of one test: a keyspace of its own (empty when the test starts) on a server of the production version.
 *
 * <p>Inject it into a test or {@code @BeforeEach} method of a class annotated with {@link RedisSession}:
 *
 * <pre>{@code
 * @Test
 * void evicts(RedisEnvironment redis) {
 *     OrderCache cache = new OrderCache(RedisClient.create(redis.uri().toString()));
 *     assertThatCache(redis).whenRunning(() -> cache.rename(42, "x")).invalidated("order:42");
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface RedisEnvironment {

    /**
     * @return the URI of this test's keyspace, e.g. {@code redis://127.0.0.1:41234/3}: the database number selects
     *         the test's logical database; hand it to the code under test. It points at the test's own network
     *         proxy, so that {@link RedisFaults#network()} reaches every connection made with it. In cluster mode the
     *         first master, e.g. {@code redis://127.0.0.1:41234}, from which {@code RedisClusterClient.create(uri)}
     *         discovers the others (not proxied: cluster nodes announce their own addresses)
     */
    URI uri();

    /**
     * @return {@link RedisTopology#STANDALONE} or {@link RedisTopology#CLUSTER}
     * @since 0.1.0
     */
    default RedisTopology topology() {
        return RedisTopology.STANDALONE;
    }

    /**
     * @return every node a client may start from: in cluster mode every master, e.g. for
     *         {@code spring.data.redis.cluster.nodes}; otherwise {@link #uri()} alone
     * @since 0.1.0
     */
    default List<URI> nodes() {
        return List.of(uri());
    }

    /**
     * @return host the code under test connects to: 127.0.0.1, the test's own network proxy (the server's host with
     *     {@code network.proxy=off})
     */
    String host();

    /** @return port the code under test connects to: the test's proxy (the server's with network.proxy=off) */
    int port();

    /** @return the logical database of this test; 0 in cluster mode, which has no other */
    int database();

    /** @return the version the server reports, e.g. {@code 7.0.15} */
    String serverVersion();

    /** @return docker, embedded or external */
    String provider();

    /** @return the recorder of this test's keyspace; recording starts at the first call */
    KeyspaceRecorder recorder();

    /** @return faults to inject into this test's server */
    RedisFaults faults();

    /**
     * @return synchronous commands on this test's database over prodlike's own connection, not the one injected
     *         into the test (so {@link RedisFaults#dropConnections()} leaves it alone): for inspecting the keyspace,
     *         as {@link RedisAssertions#assertThatKey(RedisEnvironment, String)} does
     */
    io.lettuce.core.api.sync.RedisCommands<String, String> controlCommands();
}
