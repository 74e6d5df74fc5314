package dev.prodlike.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Turns freshly started, empty cluster-enabled nodes into one Redis Cluster, as {@code redis-cli --cluster create}
 * does without replicas: a distinct config epoch per node (so no epoch collision has to be resolved by gossip), the
 * 16384 hash slots split into contiguous ranges, one per master, every node introduced to the first (CLUSTER MEET),
 * then a wait until every node sees every slot served ({@code cluster_state:ok}). A master keeps its cluster state
 * failed for about two seconds after it starts (Redis' own delay before a master rejoins as writable), so forming
 * a cluster takes at least that long.
 */
final class ClusterFormation {

    /** The hash slots of Redis Cluster. */
    static final int SLOTS = 16384;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ClusterFormation() {
    }

    /**
     * @param masters  how many masters
     * @param index    which of them
     * @return the first and last slot of that master's range
     */
    static int[] slotRange(int masters, int index) {
        return new int[] {index * SLOTS / masters, (index + 1) * SLOTS / masters - 1};
    }

    /**
     * Forms the cluster and waits until it serves every slot.
     *
     * @param nodes     the nodes as this JVM reaches them, in slot order
     * @param meetHost  the address the nodes reach each other at (the one they announce)
     * @param resources Lettuce resources to connect with
     * @return null when every node reports the cluster ok, else what the nodes reported last
     */
    static String form(List<ClusterNodes.Node> nodes, String meetHost, ClientResources resources) {
        RedisClient client = RedisClient.create(resources);
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        try {
            for (ClusterNodes.Node n : nodes) {
                connections.add(client.connect(RedisURI.builder().withHost(n.host()).withPort(n.port())
                        .withClientName(KeyspaceHub.CONTROL_NAME).build()));
            }
            for (int i = 0; i < nodes.size(); i++) {
                RedisCommands<String, String> cmd = connections.get(i).sync();
                cmd.dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("SET-CONFIG-EPOCH").add(i + 1));
                int[] range = slotRange(nodes.size(), i);
                cmd.clusterAddSlots(IntStream.rangeClosed(range[0], range[1]).toArray());
            }
            for (int i = 1; i < nodes.size(); i++) {
                connections.get(0).sync().clusterMeet(meetHost, nodes.get(i).port());
            }
            return awaitOk(connections, nodes.size());
        } catch (RedisException e) {
            return "forming the cluster failed: " + e.getMessage();
        } finally {
            connections.forEach(StatefulRedisConnection::close);
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static String awaitOk(List<StatefulRedisConnection<String, String>> connections, int masters) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = "";
        while (true) {
            last = notReady(connections, masters);
            if (last == null) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return "not every node served every slot within " + TIMEOUT.toSeconds() + " s; " + last;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for the cluster to form";
            }
        }
    }

    /** @return null when every node reports the cluster ok with all masters and slots, else the first that does not */
    private static String notReady(List<StatefulRedisConnection<String, String>> connections, int masters) {
        for (int i = 0; i < connections.size(); i++) {
            String info = connections.get(i).sync().clusterInfo();
            String state = RedisEnvironments.infoField(info, "cluster_state");
            String known = RedisEnvironments.infoField(info, "cluster_known_nodes");
            String assigned = RedisEnvironments.infoField(info, "cluster_slots_ok");
            if (!"ok".equals(state) || !String.valueOf(masters).equals(known)
                    || !String.valueOf(SLOTS).equals(assigned)) {
                return "node " + (i + 1) + " reports cluster_state:" + state + ", cluster_known_nodes:" + known
                        + ", cluster_slots_ok:" + assigned;
            }
        }
        return null;
    }
}
