package dev.prodlike.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One running server shared by all test classes of the JVM that ask for the same (provider, version, settings), and
 * the pool of its logical databases. Each test leases a database of its own, emptied with FLUSHDB before the test
 * sees it; when every database is leased, the next test waits for one to come back.
 */
public final class SharedServer implements AutoCloseable {

    final RedisServer server;
    final RedisSettings settings;
    final String version;
    final String reportId;
    final ClientResources resources;
    final RedisClient internalClient;
    final KeyspaceHub hub;
    final ServerGate gate = new ServerGate();
    final boolean notificationsEnabled;
    final String notificationsSetting;
    private final BlockingQueue<Integer> pool;
    private final Map<Integer, StatefulRedisConnection<String, String>> control = new ConcurrentHashMap<>();
    private final List<Long> resetNanos = new ArrayList<>();
    private final List<Long> waitNanos = new ArrayList<>();
    private volatile boolean closed;

    SharedServer(RedisServer server, RedisSettings settings, String version, String reportId, ClientResources resources,
                 int[] databases, String notifications) {
        this.server = server;
        this.settings = settings;
        this.version = version;
        this.reportId = reportId;
        this.resources = resources;
        this.internalClient = RedisClient.create(resources);
        this.internalClient.setOptions(ClientOptions.builder().build());
        this.notificationsSetting = notifications;
        this.notificationsEnabled = notificationsCover(notifications);
        this.pool = new ArrayBlockingQueue<>(databases.length, true);
        Arrays.stream(databases).forEach(pool::add);
        String pattern = server.provisioned() ? "__keyspace@*__:*" : "__keyspace@" + databases[0] + "__:*";
        this.hub = new KeyspaceHub(internalClient, baseUri(), pattern);
    }

    /**
     * @param flags the server's notify-keyspace-events
     * @return true when keyspace (K) events of all classes prodlike reports are on
     */
    static boolean notificationsCover(String flags) {
        if (flags == null || !flags.contains("K")) {
            return false;
        }
        if (flags.contains("A")) {
            return true;
        }
        for (char c : "g$lshzxe".toCharArray()) {
            if (flags.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    RedisURI baseUri() {
        return baseUri(server);
    }

    static RedisURI baseUri(RedisServer server) {
        return server.baseUri();
    }

    /**
     * @param db a database
     * @return prodlike's own connection to it (never dropped by faults)
     */
    StatefulRedisConnection<String, String> control(int db) {
        return control.computeIfAbsent(db, d -> internalClient.connect(
                RedisURI.builder(baseUri()).withDatabase(d).withClientName(KeyspaceHub.CONTROL_NAME).build()));
    }

    /**
     * Leases a database for one test: waits for a free one, enters the server gate, empties the database.
     *
     * @param testName for messages
     * @return the lease
     */
    public TestSession lease(String testName) {
        if (closed) {
            throw new IllegalStateException("the test run is ending");
        }
        long t0 = System.nanoTime();
        int db;
        try {
            db = pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free Redis database", e);
        }
        long t1 = System.nanoTime();
        try {
            gate.enterShared();
        } catch (InterruptedException e) {
            pool.add(db);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a Redis fault test to end", e);
        }
        try {
            RedisCommands<String, String> control = control(db).sync();
            long t2 = System.nanoTime();
            control.flushdb();
            long t3 = System.nanoTime();
            synchronized (this) {
                waitNanos.add(t1 - t0);
                resetNanos.add(t3 - t2);
            }
            return new TestSession(this, db, testName);
        } catch (RuntimeException e) {
            gate.leaveShared();
            pool.add(db);
            throw e;
        }
    }

    void release(int db) {
        pool.add(db);
    }

    /** @return {count, p50 ms, p99 ms, max ms} of the per-test resets */
    synchronized double[] resetStats() {
        return stats(resetNanos);
    }

    /** @return {count, p50 ms, p99 ms, max ms} of the waits for a free database */
    synchronized double[] waitStats() {
        return stats(waitNanos);
    }

    private static double[] stats(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return new double[] {0, 0, 0, 0};
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return new double[] {sorted.length, ms(sorted[(sorted.length - 1) / 2]),
            ms(sorted[(int) Math.ceil(sorted.length * 0.99) - 1]), ms(sorted[sorted.length - 1])};
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    /** @return the server's description */
    public String description() {
        return server.description();
    }

    @Override
    public void close() {
        closed = true;
        try {
            hub.close();
        } catch (RuntimeException ignored) {
            // the server may be gone
        }
        control.values().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // idem
            }
        });
        internalClient.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
        server.close();
    }
}
