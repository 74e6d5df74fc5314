package dev.prodlike.redis.internal;

import dev.prodlike.internal.Drift;
import dev.prodlike.internal.EnvironmentReport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The test clusters of one (provider, version, settings, masters): each test leases a whole cluster, emptied with
 * FLUSHALL on every master before the test sees it.
 *
 * <p>Why this isolation holds: Redis Cluster has no logical databases (SELECT is refused), so a keyspace cannot be
 * shared the way a standalone server's databases are, and prefixing keys per test would change the keys the code
 * under test writes, which is what the hygiene assertions judge. So isolation is by cluster: a cluster is held by
 * exactly one test at a time (a queue hands it out), its masters are the only nodes holding keys (no replicas, and
 * prodlike never moves slots), and FLUSHALL on every master has completed before the lease returns, so every test
 * starts with an empty keyspace. A test's connections are closed before its cluster is handed on. Sequential tests
 * reuse one cluster; when tests run in parallel and none is idle, another cluster is started, up to
 * {@link #maxClusters()}, after which a test waits for one.
 */
public final class SharedCluster implements LeaseSource, AutoCloseable {

    private final RedisSettings settings;
    private final ClientResources resources;
    private final Function<RedisSettings, ClusterNodes> starter;
    private final String version;
    final String reportId;
    private final BlockingQueue<LiveCluster> idle = new LinkedBlockingQueue<>();
    private final List<LiveCluster> all = new ArrayList<>();
    private final List<Long> resetNanos = new ArrayList<>();
    private final List<Long> startMillis = new ArrayList<>();
    private int starting;
    private volatile boolean closed;

    private SharedCluster(
            RedisSettings settings,
            ClientResources resources,
            Function<RedisSettings, ClusterNodes> starter,
            String version,
            String reportId,
            LiveCluster first) {
        this.settings = settings;
        this.resources = resources;
        this.starter = starter;
        this.version = version;
        this.reportId = reportId;
        all.add(first);
        startMillis.add(first.nodes.startMillis());
        idle.add(first);
    }

    /**
     * Starts the first cluster, compares it with the profile and announces it (report entry, console line, drift).
     *
     * @param settings  the class's settings (topology cluster)
     * @param resources Lettuce resources
     * @param report    the run's report
     * @param reportId  the report entry's id
     * @param onDrift   closes the cluster when drift stops the run
     * @return the clusters of these settings
     */
    static SharedCluster start(
            RedisSettings settings,
            ClientResources resources,
            EnvironmentReport report,
            String reportId,
            Consumer<SharedCluster> onDrift) {
        Function<RedisSettings, ClusterNodes> starter = switch (settings.provider()) {
            case EMBEDDED -> EmbeddedCluster::start;
            case DOCKER -> DockerLoader::startCluster;
            case EXTERNAL, AUTO, FROM_PROFILE ->
                throw new IllegalStateException("a test cluster cannot come from " + "provider "
                        + settings.provider().profileName());
        };
        ClusterNodes nodes = starter.apply(settings);
        EnvironmentReport.Entry entry = new EnvironmentReport.Entry(
                reportId,
                "Redis " + settings.version() + " cluster",
                nodes.description() + "; " + settings.providerWhy());
        LiveCluster first;
        ServerInspection inspection;
        try {
            first = new LiveCluster(nodes, resources);
            inspection = inspect(nodes, settings, entry, resources);
        } catch (RedisException | IllegalStateException e) {
            nodes.close();
            throw new IllegalStateException("Could not inspect the Redis Cluster " + nodes + ": " + e.getMessage(), e);
        }
        nodes.deliberateSettings().forEach(entry::deliberate);
        entry.timing("startMs", nodes.startMillis())
                .timing("masters", nodes.nodes().size());
        SharedCluster shared = new SharedCluster(settings, resources, starter, inspection.version(), reportId, first);
        Drift.announce(
                report,
                entry,
                "Redis " + inspection.version() + " cluster " + nodes.description() + " ready in " + nodes.startMillis()
                        + " ms on " + nodes.nodes(),
                inspection.findings(),
                settings.profile(),
                "provider " + nodes.description(),
                "Fix: make the test server match production (provider=docker runs redis:<redis.version>;"
                        + " redis.binary names a local redis-server), or correct the profile if production"
                        + " changed.",
                () -> onDrift.accept(shared));
        return shared;
    }

    private static ServerInspection inspect(
            ClusterNodes nodes, RedisSettings settings, EnvironmentReport.Entry entry, ClientResources resources) {
        RedisClient probe = RedisClient.create(resources);
        try (StatefulRedisConnection<String, String> c =
                probe.connect(LiveCluster.uri(nodes.nodes().get(0))
                        .withClientName(KeyspaceHub.CONTROL_NAME)
                        .build())) {
            return ServerInspection.of(c.sync(), settings, entry);
        } finally {
            probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** @return how many clusters of one settings run at most: one per core, at least two */
    static int maxClusters() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public ClusterSession lease(String testName) {
        LiveCluster cluster = take();
        try {
            long t0 = System.nanoTime();
            cluster.flushAll();
            synchronized (this) {
                resetNanos.add(System.nanoTime() - t0);
            }
            return new ClusterSession(resources, version, this::release, cluster, testName);
        } catch (RuntimeException e) {
            release(cluster);
            throw e;
        }
    }

    /** @return an idle cluster, a newly started one when none is idle and fewer than the maximum run, else waits */
    private LiveCluster take() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("the test run is ending");
            }
            LiveCluster ready = idle.poll();
            if (ready != null) {
                return ready;
            }
            boolean mayStart;
            synchronized (this) {
                mayStart = all.size() + starting < maxClusters();
                if (mayStart) {
                    starting++;
                }
            }
            if (mayStart) {
                return startAnother();
            }
            try {
                ready = idle.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a free Redis test cluster", e);
            }
            if (ready != null) {
                return ready;
            }
        }
    }

    private LiveCluster startAnother() {
        try {
            ClusterNodes nodes = starter.apply(settings);
            LiveCluster cluster;
            try {
                cluster = new LiveCluster(nodes, resources);
            } catch (RuntimeException e) {
                nodes.close();
                throw e;
            }
            synchronized (this) {
                all.add(cluster);
                startMillis.add(nodes.startMillis());
            }
            if (closed) {
                throw new IllegalStateException("the test run is ending");
            }
            return cluster;
        } finally {
            synchronized (this) {
                starting--;
            }
        }
    }

    void release(LiveCluster cluster) {
        if (closed) {
            return;
        }
        idle.add(cluster);
    }

    /** @return the report fields of these clusters: how many, their start times, the per-test resets */
    synchronized Map<String, Object> stats() {
        Durations reset = Durations.of(resetNanos);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("testsServed", reset.count());
        stats.put("clustersStarted", (long) all.size());
        stats.put(
                "clusterStartMaxMs",
                startMillis.stream().mapToLong(Long::longValue).max().orElse(0));
        stats.put("resetP50Ms", reset.p50Ms());
        stats.put("resetP99Ms", reset.p99Ms());
        stats.put("resetMaxMs", reset.maxMs());
        return stats;
    }

    /** @return e.g. {@code embedded (...), 3 masters} */
    String description() {
        synchronized (this) {
            return all.get(0).nodes.description();
        }
    }

    @Override
    public void close() {
        closed = true;
        List<LiveCluster> clusters;
        synchronized (this) {
            clusters = new ArrayList<>(all);
        }
        for (LiveCluster c : clusters) {
            c.close();
        }
    }
}
