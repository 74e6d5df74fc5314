package dev.prodlike.redis.internal;

import dev.prodlike.faults.NetworkFaults;
import dev.prodlike.redis.RedisFaults;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;

/**
 * Faults of a test cluster. The cluster belongs to one test at a time, so no other test is hit and no gate is needed.
 * A pause and dropped connections act on every master; an outage of a cluster is not offered (bringing masters back
 * with their slots is a failover drill, not a restart).
 */
final class ClusterFaults implements RedisFaults {

    private final LiveCluster cluster;
    private boolean paused;

    ClusterFaults(LiveCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public synchronized void pause(Duration duration) {
        if (duration == null
                || duration.isNegative()
                || duration.isZero()
                || duration.compareTo(Duration.ofSeconds(MAX_PAUSE_SECONDS)) > 0) {
            throw new IllegalArgumentException(
                    "A pause must last from 1 ms to " + MAX_PAUSE_SECONDS + " s but was: " + duration);
        }
        paused = true;
        cluster.masters().forEach(m -> m.sync().clientPause(Math.max(1, duration.toMillis())));
    }

    @Override
    public int dropConnections() {
        int killed = 0;
        for (StatefulRedisConnection<String, String> m : cluster.masters()) {
            for (String line : m.sync().clientList().split("\r?\n")) {
                String id = field(line, "id");
                String name = field(line, "name");
                if (id != null && !KeyspaceHub.CLIENT_NAME.equals(name) && !KeyspaceHub.CONTROL_NAME.equals(name)) {
                    try {
                        killed += m.sync()
                                .clientKill(KillArgs.Builder.id(Long.parseLong(id)))
                                .intValue();
                    } catch (RedisException e) {
                        // gone already
                    }
                }
            }
        }
        return killed;
    }

    private static String field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    @Override
    public NetworkFaults network() {
        throw new UnsupportedOperationException("Network faults of a test cluster are not supported: a client"
                + " follows the nodes' own announced addresses (MOVED, ASK, CLUSTER SLOTS), which a proxy in front of"
                + " one node would not see.\nFix: test network faults against a standalone server"
                + " (@RedisSession(topology = RedisTopology.STANDALONE)), or use pause(..) or dropConnections(),"
                + " which act on every master of the cluster.");
    }

    @Override
    public Outage outage() {
        throw new UnsupportedOperationException("An outage of a test cluster is not supported: a cluster's masters"
                + " would have to come back with their slots, which is a failover drill rather than a restart.\nFix:"
                + " test outages against a standalone server (@RedisSession(topology = RedisTopology.STANDALONE)),"
                + " or use pause(..) or dropConnections(), which act on every master of the cluster.");
    }

    /** Lifts a pause still running when the test ends. */
    synchronized void end() {
        if (!paused) {
            return;
        }
        for (StatefulRedisConnection<String, String> m : cluster.masters()) {
            try {
                m.sync()
                        .dispatch(
                                CommandType.CLIENT,
                                new StatusOutput<>(StringCodec.UTF8),
                                new CommandArgs<>(StringCodec.UTF8).add("UNPAUSE"));
            } catch (RedisException ignored) {
                // nothing paused
            }
        }
    }
}
