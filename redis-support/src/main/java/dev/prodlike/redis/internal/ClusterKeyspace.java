package dev.prodlike.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The keyspace notifications of one test cluster, for the recorder of the test that holds it. Redis Cluster sends a
 * key's notifications only to subscribers of the master that holds the key, so there is one pattern subscription per
 * master ({@code __keyspace@0__:*}, the only database a cluster has).
 *
 * <p>Waiting stays deterministic: a sentinel is PUBLISHed on every master and awaited on that master's own
 * subscription; a master delivers its subscriber's messages in the order it executed the commands, so when all
 * sentinels are back, every notification of every command completed before has arrived. A cluster forwards every
 * PUBLISH to the subscribers of all nodes, so a sentinel counts only when it arrives through the subscription of the
 * master it was published on (its id names that master).
 */
final class ClusterKeyspace implements KeyspaceSource, AutoCloseable {

    private final List<StatefulRedisPubSubConnection<String, String>> subscriptions = new ArrayList<>();
    private final List<StatefulRedisConnection<String, String>> publishers;
    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Listener recorder;

    /**
     * @param client     connects to the nodes
     * @param nodes      the masters
     * @param publishers prodlike's own connection to each master, in the same order
     */
    ClusterKeyspace(
            RedisClient client,
            List<ClusterNodes.Node> nodes,
            List<StatefulRedisConnection<String, String>> publishers) {
        this.publishers = publishers;
        for (int i = 0; i < nodes.size(); i++) {
            String node = "n" + i + "-";
            StatefulRedisPubSubConnection<String, String> c = client.connectPubSub(RedisURI.builder()
                    .withHost(nodes.get(i).host())
                    .withPort(nodes.get(i).port())
                    .withClientName(KeyspaceHub.CLIENT_NAME)
                    .build());
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    dispatch(node, channel, message);
                }
            });
            c.sync().psubscribe("__keyspace@0__:*");
            subscriptions.add(c);
        }
    }

    private void dispatch(String node, String channel, String event) {
        int start = channel.indexOf("__:");
        if (start < 0) {
            return;
        }
        String key = channel.substring(start + 3);
        Listener r = recorder;
        if (key.startsWith(KeyspaceHub.SENTINEL)) {
            String id = key.substring(KeyspaceHub.SENTINEL.length());
            if (!id.startsWith(node)) {
                return; // published on another master, forwarded here by the cluster bus
            }
            if (r != null) {
                r.marker(id);
            }
            CompletableFuture<Void> f = waiting.get(id);
            if (f != null) {
                f.complete(null);
            }
        } else if (r != null) {
            r.event(key, event);
        }
    }

    @Override
    public void register(Listener r) {
        recorder = r;
    }

    @Override
    public void unregister(Listener r) {
        if (recorder == r) {
            recorder = null;
        }
    }

    @Override
    public int database() {
        return 0;
    }

    @Override
    public List<String> sync(Duration timeout) {
        long n = ids.incrementAndGet();
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<Void>> arrivals = new ArrayList<>();
        for (int i = 0; i < publishers.size(); i++) {
            String id = "n" + i + "-" + n;
            CompletableFuture<Void> arrived = new CompletableFuture<>();
            waiting.put(id, arrived);
            sent.add(id);
            arrivals.add(arrived);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (int i = 0; i < publishers.size(); i++) {
                publishers.get(i).async().publish("__keyspace@0__:" + KeyspaceHub.SENTINEL + sent.get(i), "sentinel");
            }
            for (int i = 0; i < arrivals.size(); i++) {
                try {
                    arrivals.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Keyspace notifications of cluster master " + (i + 1) + " did not"
                            + " arrive within " + timeout.toSeconds() + " s: the sentinel published on it never came"
                            + " back to the subscription of client " + KeyspaceHub.CLIENT_NAME + ".");
                }
            }
            return sent;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for keyspace notifications", e);
        } catch (ExecutionException | RedisException e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
        } finally {
            sent.forEach(waiting::remove);
        }
    }

    @Override
    public void close() {
        subscriptions.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the node may be gone
            }
        });
    }
}
