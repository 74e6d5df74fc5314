package dev.prodlike.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running test cluster and prodlike's own connections to it: one per master (to empty it and to publish
 * sentinels), the keyspace subscriptions, and a cluster connection for assertions (which follows the slots like any
 * cluster client). Held by one test at a time.
 */
final class LiveCluster implements AutoCloseable {

    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    final ClusterNodes nodes;
    final ClusterKeyspace keyspace;
    private final RedisClient client;
    private final List<StatefulRedisConnection<String, String>> masters = new ArrayList<>();
    private final RedisClusterClient controlClient;
    private final StatefulRedisClusterConnection<String, String> control;

    LiveCluster(ClusterNodes nodes, ClientResources resources) {
        this.nodes = nodes;
        this.client = RedisClient.create(resources);
        try {
            for (ClusterNodes.Node n : nodes.nodes()) {
                masters.add(client.connect(
                        uri(n).withClientName(KeyspaceHub.CONTROL_NAME).build()));
            }
            this.keyspace = new ClusterKeyspace(client, nodes.nodes(), masters);
            List<RedisURI> named = new ArrayList<>();
            nodes.nodes()
                    .forEach(n -> named.add(
                            uri(n).withClientName(KeyspaceHub.CONTROL_NAME).build()));
            this.controlClient = RedisClusterClient.create(resources, named);
            this.control = controlClient.connect();
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw e;
        }
    }

    static RedisURI.Builder uri(ClusterNodes.Node n) {
        return RedisURI.builder().withHost(n.host()).withPort(n.port());
    }

    /** @return every master as a seed, so a client starts even if one node were slow to answer */
    static List<RedisURI> seeds(ClusterNodes nodes) {
        List<RedisURI> seeds = new ArrayList<>();
        nodes.nodes().forEach(n -> seeds.add(uri(n).build()));
        return seeds;
    }

    /** @return prodlike's cluster connection, for assertions */
    StatefulRedisClusterConnection<String, String> control() {
        return control;
    }

    /** @return prodlike's connection to each master */
    List<StatefulRedisConnection<String, String>> masters() {
        return masters;
    }

    /**
     * Empties every master (FLUSHALL, in parallel) and waits for all replies. A cluster has only database 0 and its
     * keys live on the masters alone, so afterwards the whole keyspace is empty.
     */
    void flushAll() {
        List<RedisFuture<String>> replies = new ArrayList<>();
        masters.forEach(m -> replies.add(m.async().flushall()));
        long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
        try {
            for (RedisFuture<String> r : replies) {
                r.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while emptying the test cluster " + nodes, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Could not empty the test cluster " + nodes + " (FLUSHALL on every" + " master): "
                            + (e.getCause() != null ? e.getCause() : e),
                    e);
        }
    }

    @Override
    public void close() {
        try {
            keyspace.close();
            control.close();
            controlClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException ignored) {
            // the nodes stop below regardless
        } finally {
            nodes.close();
        }
    }
}
