package dev.prodlike.redis.internal;

import dev.prodlike.internal.Console;
import dev.prodlike.internal.Drift;
import dev.prodlike.internal.EnvironmentReport;
import dev.prodlike.internal.Once;
import dev.prodlike.redis.RedisKeys;
import dev.prodlike.redis.RedisTopology;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Redis servers of one JVM, held in the launcher-session Store
 * ({@link dev.prodlike.internal.SessionStore}) and closed by it at the end of the run: each server starts
 * once per (provider, version, settings). A failure to provision is remembered and reported again, not retried, for
 * every later class.
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public final class RedisEnvironments implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("dev.prodlike", "redis");

    private final Map<String, Once<SharedServer>> servers = new ConcurrentHashMap<>();
    private final List<SharedServer> started = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Once<SharedCluster>> clusters = new ConcurrentHashMap<>();
    private final List<SharedCluster> startedClusters = Collections.synchronizedList(new ArrayList<>());
    private final EnvironmentReport report;
    private volatile ClientResources resources;
    private volatile boolean closed;

    RedisEnvironments(EnvironmentReport report) {
        this.report = report;
    }

    /**
     * @param context  any extension context
     * @param settings the class's settings (for the report location)
     * @return the JVM's Redis environments
     */
    public static RedisEnvironments of(ExtensionContext context, RedisSettings settings) {
        EnvironmentReport report = EnvironmentReport.of(context, settings.profile());
        return dev.prodlike.internal.SessionStore.of(context, NAMESPACE)
                .getOrComputeIfAbsent(
                        RedisEnvironments.class, k -> new RedisEnvironments(report), RedisEnvironments.class);
    }

    /** @return Lettuce resources shared by every client prodlike creates: one event loop group per JVM */
    public synchronized ClientResources resources() {
        if (resources == null) {
            // Reconnect within 100 ms at most after a fault, instead of Lettuce's default of up to 30 s.
            resources = DefaultClientResources.builder()
                    .reconnectDelay(
                            Delay.exponential(Duration.ofMillis(1), Duration.ofMillis(100), 2, TimeUnit.MILLISECONDS))
                    .build();
        }
        return resources;
    }

    /**
     * Starts (once) what these settings need: a shared server, or the first of the test clusters.
     *
     * @param settings the class's settings
     * @return where the class's tests lease their keyspaces
     */
    public LeaseSource source(RedisSettings settings) {
        return settings.topology() == RedisTopology.CLUSTER ? cluster(settings) : server(settings);
    }

    private SharedCluster cluster(RedisSettings settings) {
        return clusters.computeIfAbsent(settings.serverKey(), k -> new Once<>()).get(() -> {
            if (closed) {
                throw new IllegalStateException("the test run is ending");
            }
            SharedCluster shared = SharedCluster.start(
                    settings,
                    resources(),
                    report,
                    "redis-cluster-" + settings.version() + "-"
                            + settings.provider().profileName() + "-" + clusters.size(),
                    c -> {
                        startedClusters.remove(c);
                        c.close();
                    });
            startedClusters.add(shared);
            return shared;
        });
    }

    /**
     * Starts (once) the server these settings need.
     *
     * @param settings the class's settings
     * @return the shared server
     */
    public SharedServer server(RedisSettings settings) {
        return servers.computeIfAbsent(settings.serverKey(), k -> new Once<>()).get(() -> start(settings));
    }

    private SharedServer start(RedisSettings settings) {
        if (closed) {
            throw new IllegalStateException("the test run is ending");
        }
        RedisServer server = switch (settings.provider()) {
            case DOCKER -> DockerLoader.start(settings);
            case EXTERNAL -> ExternalRedis.connect(settings.profile());
            case EMBEDDED -> EmbeddedRedis.start(settings);
            case AUTO, FROM_PROFILE ->
                throw new IllegalStateException(
                        "provider " + settings.provider() + " was not resolved to a concrete one");
        };
        SharedServer shared;
        List<Drift.Finding> findings;
        EnvironmentReport.Entry entry;
        try {
            RedisClient probeClient = RedisClient.create(resources());
            ServerInspection inspection;
            int[] databases;
            String reportId = "redis-" + settings.version() + "-" + server.provider() + "-" + servers.size();
            entry = new EnvironmentReport.Entry(
                    reportId, "Redis " + settings.version(), server.description() + "; " + settings.providerWhy());
            try (StatefulRedisConnection<String, String> c = probeClient.connect(RedisURI.builder(server.baseUri())
                    .withDatabase(server.databases()[0])
                    .withClientName(KeyspaceHub.CONTROL_NAME)
                    .build())) {
                RedisCommands<String, String> cmd = c.sync();
                inspection = ServerInspection.of(cmd, settings, entry);
                findings = inspection.findings();
                if (server.provisioned()) {
                    String n = ServerInspection.configGet(cmd, "databases");
                    int count = n.matches("[0-9]+") ? Integer.parseInt(n) : 16;
                    databases = new int[count];
                    for (int i = 0; i < count; i++) {
                        databases[i] = i;
                    }
                } else {
                    databases = server.databases();
                }
            } finally {
                probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            server.deliberateSettings().forEach(entry::deliberate);
            entry.timing("startMs", server.startMillis()).timing("databases", databases.length);
            shared = new SharedServer(
                    server,
                    settings,
                    inspection.version(),
                    reportId,
                    resources(),
                    databases,
                    inspection.notifications());
            entry.timing("warmUpMs", shared.prepareMillis());
        } catch (RedisException | IllegalStateException e) {
            server.close();
            if (!server.provisioned() && e instanceof io.lettuce.core.RedisConnectionException) {
                throw nothingListening(server, e);
            }
            throw new IllegalStateException(
                    "Could not inspect Redis " + server.description() + " on " + server.host() + ":" + server.port()
                            + ": " + e.getMessage(),
                    e);
        }
        started.add(shared);
        Drift.announce(
                report,
                entry,
                "Redis " + shared.version + " " + server.description() + " ready in " + server.startMillis() + " ms on "
                        + server.host() + ":" + server.port(),
                findings,
                settings.profile(),
                "provider " + server.description(),
                "Fix: make the test server match production (provider=docker runs redis:<redis.version>;"
                        + " redis.binary names a local redis-server), or correct the profile if production"
                        + " changed.",
                () -> {
                    started.remove(shared);
                    shared.close();
                });
        return shared;
    }

    /** An external Redis (one prodlike does not start) that does not answer: tried, why, fix. */
    private static ExtensionConfigurationException nothingListening(RedisServer server, RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new ExtensionConfigurationException(
                "Could not connect to the external Redis "
                        + server.description() + " on " + server.host() + ":" + server.port() + ": " + root.getMessage()
                        + ".\nWith provider=external prodlike starts nothing: it uses the server " + RedisKeys.URL
                        + " names, which must be running before the tests.\nFix: start that Redis or correct "
                        + RedisKeys.URL
                        + ", or let prodlike start one of redis.version: provider=embedded (or provider=auto).",
                e);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<SharedServer> order = new ArrayList<>(started);
        Collections.reverse(order);
        for (SharedServer s : order) {
            Durations reset = s.resetStats();
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("testsServed", reset.count());
            stats.put("resetP50Ms", reset.p50Ms());
            stats.put("resetP99Ms", reset.p99Ms());
            stats.put("resetMaxMs", reset.maxMs());
            stats.put("databaseWaitMaxMs", s.waitStats().maxMs());
            stats.put("resetsInBackground", s.fastResets());
            report.update(s.reportId, stats); // the report is rewritten once per server, not once per field
            try {
                s.close();
            } catch (RuntimeException e) {
                Console.warning("closing " + s.description() + " failed: " + e);
            }
        }
        List<SharedCluster> clusterOrder = new ArrayList<>(startedClusters);
        Collections.reverse(clusterOrder);
        for (SharedCluster c : clusterOrder) {
            report.update(c.reportId, c.stats());
            try {
                c.close();
            } catch (RuntimeException e) {
                Console.warning("closing the Redis test clusters " + c.description() + " failed: " + e);
            }
        }
        if (resources != null) {
            // A short quiet period lets close notifications of the last connections run before the event loops stop
            // (with none, netty logs "Failed to submit a listener notification task" with a stack trace).
            resources.shutdown(100, 2_000, TimeUnit.MILLISECONDS);
        }
    }
}
