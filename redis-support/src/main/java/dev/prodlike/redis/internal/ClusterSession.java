package dev.prodlike.redis.internal;

import dev.prodlike.redis.KeyspaceRecorder;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisFaults;
import dev.prodlike.redis.RedisKeys;
import dev.prodlike.redis.RedisTopology;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One test's lease of a whole test cluster: the {@link RedisEnvironment} handed to the test, the Lettuce cluster
 * client and connection injected into it, and the release when the test ends.
 */
public final class ClusterSession implements RedisLease {

    private final ClientResources resources;
    private final String version;
    /** Hands the cluster back to its pool; the pool creates the session, so the session gets this, not the pool. */
    private final Consumer<LiveCluster> release;

    private final LiveCluster cluster;
    private final String testName;
    private final InFlightSet inFlight = new InFlightSet();
    private final ClusterFaults faults;
    private RedisClusterClient client;
    private StatefulRedisClusterConnection<String, String> connection;
    private RecorderImpl recorder;
    private boolean closed;

    /**
     * @param resources the Lettuce resources every client prodlike creates shares
     * @param version   the version the clusters report
     * @param release   takes the cluster back when the test ends
     * @param cluster   the cluster leased, emptied
     * @param testName  for messages
     */
    ClusterSession(
            ClientResources resources,
            String version,
            Consumer<LiveCluster> release,
            LiveCluster cluster,
            String testName) {
        this.resources = resources;
        this.version = version;
        this.release = release;
        this.cluster = cluster;
        this.testName = testName;
        this.faults = new ClusterFaults(cluster);
    }

    /** @return the Lettuce cluster client of this test, seeded with every master; created on first use */
    public synchronized RedisClusterClient client() {
        if (client == null) {
            client = RedisClusterClient.create(resources, LiveCluster.seeds(cluster.nodes));
        }
        return client;
    }

    /** @return the cluster connection of this test; opened on first use */
    public synchronized StatefulRedisClusterConnection<String, String> connection() {
        if (connection == null) {
            connection = client().connect();
        }
        return connection;
    }

    @Override
    public Object parameter(Class<?> type) {
        if (type == RedisEnvironment.class) {
            return this;
        }
        if (type == RedisClusterClient.class) {
            return client();
        }
        if (type == StatefulRedisClusterConnection.class) {
            return connection();
        }
        if (type == RedisAdvancedClusterCommands.class) {
            return connection().sync();
        }
        if (type == RedisAdvancedClusterAsyncCommands.class) {
            return connection().async();
        }
        throw new IllegalArgumentException("this test's Redis is a cluster (" + RedisKeys.TOPOLOGY + "=cluster), which"
                + " a standalone " + type.getSimpleName() + " cannot use (it would see one master's keys and get"
                + " MOVED for the others); ask for RedisClusterClient, StatefulRedisClusterConnection<String,"
                + " String>, RedisAdvancedClusterCommands<String, String> or RedisAdvancedClusterAsyncCommands<String,"
                + " String>");
    }

    @Override
    public URI uri() {
        return URI.create("redis://" + host() + ":" + port());
    }

    @Override
    public List<URI> nodes() {
        List<URI> nodes = new ArrayList<>();
        cluster.nodes.nodes().forEach(n -> nodes.add(URI.create("redis://" + n)));
        return List.copyOf(nodes);
    }

    @Override
    public RedisTopology topology() {
        return RedisTopology.CLUSTER;
    }

    @Override
    public String host() {
        return cluster.nodes.nodes().get(0).host();
    }

    @Override
    public int port() {
        return cluster.nodes.nodes().get(0).port();
    }

    @Override
    public int database() {
        return 0;
    }

    @Override
    public String serverVersion() {
        return version;
    }

    @Override
    public String provider() {
        return cluster.nodes.provider();
    }

    @Override
    public synchronized KeyspaceRecorder recorder() {
        if (recorder == null) {
            recorder = new RecorderImpl(cluster.keyspace, cluster.control().async(), this::settle);
        }
        return recorder;
    }

    @Override
    public RedisFaults faults() {
        return faults;
    }

    @Override
    public RedisCommands<String, String> controlCommands() {
        return ClusterCommands.over(cluster.control().sync());
    }

    @Override
    public void track(InFlightCommands commands) {
        inFlight.add(commands);
    }

    @Override
    public int settle() {
        return inFlight.settle(TestSession.SETTLE_TIMEOUT, testName);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            if (recorder != null) {
                recorder.close();
            }
            faults.end();
        } finally {
            release.accept(cluster);
        }
    }

    @Override
    public String toString() {
        return "Redis Cluster " + cluster.nodes + " for " + testName;
    }
}
