package dev.prodlike.redis.internal;

import dev.prodlike.internal.Cache;
import dev.prodlike.internal.Ports;
import dev.prodlike.internal.RunDirectories;
import dev.prodlike.internal.SupervisedProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis Cluster of local {@code redis-server} processes (the same binary as {@link EmbeddedRedis}), one per master,
 * each under {@link SupervisedProcess} on 127.0.0.1 in one run directory the next run reaps if this JVM dies. Each
 * node's cluster bus listens on its client port + 10000, the default every Redis version knows.
 */
final class EmbeddedCluster implements ClusterNodes {

    /** Offset of a node's cluster bus port from its client port (Redis' default). */
    static final int BUS_OFFSET = 10000;

    private final RedisBinaries.Binary binary;
    private final List<SupervisedProcess> processes;
    private final List<Node> nodes;
    private final Path runDir;
    private final long startMillis;
    private final Map<String, String> deliberate;

    private EmbeddedCluster(
            RedisBinaries.Binary binary,
            List<SupervisedProcess> processes,
            List<Node> nodes,
            Path runDir,
            long startMillis,
            Map<String, String> deliberate) {
        this.binary = binary;
        this.processes = processes;
        this.nodes = nodes;
        this.runDir = runDir;
        this.startMillis = startMillis;
        this.deliberate = deliberate;
    }

    /**
     * Settings every cluster node prodlike starts gets, after the fixed ones of every server and before the
     * profile's own (which win).
     *
     * @param port the node's client port, naming its cluster state file
     * @return the settings
     */
    static Map<String, String> clusterSettings(int port) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("cluster-enabled", "yes");
        s.put("cluster-config-file", "nodes-" + port + ".conf");
        return s;
    }

    /** @return the settings the report lists as deliberate for a test cluster */
    static Map<String, String> deliberate(RedisSettings settings) {
        Map<String, String> d = new LinkedHashMap<>(EmbeddedRedis.deliberate(settings.settings()));
        d.put(
                "no replicas",
                settings.masters() + " masters, each serving a contiguous range of hash slots; keys,"
                        + " hash tags, CROSSSLOT and MOVED behave as in production, failover is not exercised");
        return d;
    }

    /**
     * Starts the nodes and forms the cluster.
     *
     * @param settings  the class's settings
     * @return the running cluster
     */
    static EmbeddedCluster start(RedisSettings settings) {
        long t0 = System.nanoTime();
        RedisBinaries.Binary binary = RedisBinaries.find(settings);
        Path runDir = RunDirectories.create(Cache.root(settings.profile()), "redis-cluster");
        for (int attempt = 1; ; attempt++) {
            List<SupervisedProcess> processes = new ArrayList<>();
            List<Node> nodes = new ArrayList<>();
            String failure = null;
            try {
                for (int i = 0; i < settings.masters(); i++) {
                    int port = portWithFreeBus(nodes);
                    Map<String, String> all = new LinkedHashMap<>(clusterSettings(port));
                    all.putAll(settings.settings());
                    List<String> command = EmbeddedRedis.command(binary.path(), port, all);
                    processes.add(SupervisedProcess.start(
                            "Redis cluster node " + (i + 1) + " (" + binary.origin() + ")",
                            command,
                            runDir,
                            runDir.resolve("redis-" + port + ".log"),
                            "TERM",
                            Map.of()));
                    nodes.add(new Node("127.0.0.1", port));
                }
                for (int i = 0; i < nodes.size() && failure == null; i++) {
                    String notReady = EmbeddedRedis.awaitReady(
                            processes.get(i), nodes.get(i).port(), Duration.ofSeconds(30));
                    if (notReady != null) {
                        failure = "node " + (i + 1) + " on 127.0.0.1:"
                                + nodes.get(i).port() + " did not start: "
                                + notReady + "\nServer log:\n  "
                                + SupervisedProcess.tail(
                                                runDir.resolve(
                                                        "redis-" + nodes.get(i).port() + ".log"),
                                                15)
                                        .replace("\n", "\n  ");
                    }
                }
                if (failure == null) {
                    String notFormed = ClusterFormation.form(nodes, "127.0.0.1");
                    if (notFormed == null) {
                        return new EmbeddedCluster(
                                binary,
                                processes,
                                List.copyOf(nodes),
                                runDir,
                                (System.nanoTime() - t0) / 1_000_000,
                                deliberate(settings));
                    }
                    failure = notFormed;
                }
            } catch (RuntimeException e) {
                failure = e.toString();
            }
            processes.forEach(p -> p.stop(Duration.ofSeconds(5)));
            boolean portRace = failure.contains("in use");
            if (portRace && attempt < 3) {
                continue;
            }
            deleteQuietly(runDir);
            throw new IllegalStateException("A Redis Cluster of " + settings.masters() + " masters of Redis "
                    + settings.version() + " (embedded, " + binary.origin() + ") did not start: " + failure
                    + EmbeddedRedis.hintFor(failure, settings));
        }
    }

    /** @return a free loopback port whose bus port (+10000) is free too and collides with no node's */
    static int portWithFreeBus(List<Node> taken) {
        for (int i = 0; i < 100; i++) {
            int port = Ports.freeLoopbackPort();
            int bus = port + BUS_OFFSET;
            boolean clash = taken.stream().anyMatch(n -> n.port() == bus || n.port() + BUS_OFFSET == port);
            if (bus <= 65535 && !clash && !Ports.inUse(bus)) {
                Ports.reserve(bus);
                return port;
            }
        }
        throw new IllegalStateException("No free port on 127.0.0.1 whose cluster bus port (port + " + BUS_OFFSET
                + ") was free too, in 100 tries");
    }

    private static void deleteQuietly(Path dir) {
        try {
            Cache.deleteRecursively(dir);
        } catch (IOException ignored) {
            // reaped by the next run
        }
    }

    @Override
    public List<Node> nodes() {
        return nodes;
    }

    @Override
    public String description() {
        return "embedded (" + binary.origin() + "), " + nodes.size() + " masters";
    }

    @Override
    public String provider() {
        return "embedded";
    }

    @Override
    public Map<String, String> deliberateSettings() {
        return deliberate;
    }

    @Override
    public long startMillis() {
        return startMillis;
    }

    @Override
    public void close() {
        processes.forEach(p -> p.stop(Duration.ofSeconds(10)));
        deleteQuietly(runDir);
    }

    @Override
    public String toString() {
        return description() + " on " + nodes;
    }
}
