package dev.prodlike.redis.internal;

import dev.prodlike.internal.net.Proxies;
import dev.prodlike.internal.net.TcpProxy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One running server shared by all test classes of the JVM that ask for the same (provider, version, settings), and
 * the pool of its logical databases. Each test leases a database of its own, empty when the test sees it; when every
 * database is leased, the next test waits for one to come back.
 *
 * <p>Nothing on a test's critical path waits for the network when it need not. On a server prodlike started (keyspace
 * notifications on), a database is emptied when it comes back, in the background: a sentinel write, then FLUSHDB,
 * pipelined on prodlike's own connection. Once the sentinel's notification has arrived, any later notification for
 * that database means someone wrote into it after the flush; a lease then flushes again before the test sees it. A
 * lease skips the round trip only when the flush completed, the sentinel arrived and nothing was written since (a
 * flush still in flight is waited for: it is ahead of any FLUSHDB the lease could send); otherwise (external servers,
 * lost subscription, restart) it runs FLUSHDB itself. The connection a test is injected is opened in the
 * background too, when its database comes back, and handed over at the next lease.
 *
 * <p>The server is ready before the first test asks: the constructor waits for the first flushes and connections and
 * runs one lease through the path every test takes, so that the first tests of the run do not pay the JVM's
 * first-call costs (class loading, interpreted code) while they wait for their keyspace.
 */
public final class SharedServer implements LeaseSource, AutoCloseable {

    final RedisServer server;
    final RedisSettings settings;
    final String version;
    final String reportId;
    final ClientResources resources;
    final RedisClient internalClient;
    final KeyspaceHub hub;
    final ServerGate gate = new ServerGate();
    final boolean notificationsEnabled;
    private final BlockingQueue<Integer> pool;
    private final Map<Integer, StatefulRedisConnection<String, String>> control = new ConcurrentHashMap<>();
    private final List<Long> resetNanos = new ArrayList<>();
    private final List<Long> waitNanos = new ArrayList<>();
    private volatile boolean closed;
    /** Empties idle databases in the background and tracks writes into them (servers prodlike started). */
    private final boolean backgroundReset;

    private final Map<Integer, RedisFuture<String>> flushes = new ConcurrentHashMap<>();
    private final RedisClient spareClient;
    private final Map<Integer, ConnectionFuture<StatefulRedisConnection<String, String>>> spares =
            new ConcurrentHashMap<>();
    private final AtomicLong fastResets = new AtomicLong();
    private long prepareNanos;
    /**
     * Each database's proxy for its current (or next) lease, or none with network.proxy=off or a TLS server (its
     * certificate names the server, not 127.0.0.1). A lease's proxy is closed when the database comes back, which
     * ends the test's faults and every connection the test left open; the next lease gets a new one, through which
     * its spare connection is opened.
     */
    private final Map<Integer, TcpProxy> proxies = new ConcurrentHashMap<>();

    private final boolean proxied;
    /** What each lease gets of this server. */
    private final TestSession.Host host;
    /** How long a lease waits for its database's background flush still in flight before flushing itself. */
    private static final Duration PENDING_WAIT = Duration.ofSeconds(2);
    /** How long a reset of prodlike's own connection (the server restarted) is retried when emptying a database. */
    private static final Duration FLUSH_RETRY = Duration.ofSeconds(10);
    /** How long a lease waits for the sentinel's notification after the background flush replied. */
    private static final Duration ARM_WAIT = Duration.ofMillis(20);
    /** At most this long at server start for the warm-up (normally a few ms). */
    private static final Duration PREPARE_TIMEOUT = Duration.ofSeconds(5);

    SharedServer(
            RedisServer server,
            RedisSettings settings,
            String version,
            String reportId,
            ClientResources resources,
            int[] databases,
            String notifications) {
        this.server = server;
        this.settings = settings;
        this.version = version;
        this.reportId = reportId;
        this.resources = resources;
        this.internalClient = RedisClient.create(resources);
        this.internalClient.setOptions(ClientOptions.builder().build());
        this.notificationsEnabled = notificationsCover(notifications);
        this.pool = new ArrayBlockingQueue<>(databases.length, true);
        Arrays.stream(databases).forEach(pool::add);
        String pattern = server.provisioned() ? "__keyspace@*__:*" : "__keyspace@" + databases[0] + "__:*";
        this.hub = new KeyspaceHub(internalClient, baseUri(), pattern);
        this.backgroundReset = server.provisioned() && notificationsEnabled;
        this.spareClient = RedisClient.create(resources);
        this.proxied = Proxies.enabled(settings.profile()) && !baseUri().isSsl();
        internalClient.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection == hub.connection()) {
                    hub.invalidateWatches();
                }
            }
        });
        this.host = new TestSession.Host(
                server, version, resources, hub, gate, notifications, notificationsEnabled, this::release);
        if (backgroundReset) {
            Arrays.stream(databases).forEach(this::resetInBackground);
        }
        // Each database starts with a connection ready for its first test (16 idle connections at most; one a test
        // does not use is kept for the next).
        Arrays.stream(databases).forEach(db -> keepSpare(db, null));
        prepare();
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
        return server.baseUri();
    }

    /**
     * @param db a database
     * @return the proxy of its current lease, or null when connections go to the server directly
     */
    TcpProxy proxy(int db) {
        if (!proxied) {
            return null;
        }
        return proxies.computeIfAbsent(
                db,
                d -> TcpProxy.open(
                        new InetSocketAddress(server.host(), server.port()),
                        "Redis database " + d + " of " + server.description()));
    }

    /**
     * @param db a database
     * @return where a test's clients of that database connect: its proxy, or the server
     */
    RedisURI testUri(int db) {
        TcpProxy proxy = proxy(db);
        RedisURI.Builder builder = RedisURI.builder(baseUri()).withDatabase(db);
        if (proxy != null) {
            builder.withHost(proxy.address().getAddress().getHostAddress()).withPort(proxy.port());
        }
        return builder.build();
    }

    /**
     * @param db a database
     * @return prodlike's own connection to it (never dropped by faults)
     */
    StatefulRedisConnection<String, String> control(int db) {
        return control.computeIfAbsent(
                db,
                d -> internalClient.connect(RedisURI.builder(baseUri())
                        .withDatabase(d)
                        .withClientName(KeyspaceHub.CONTROL_NAME)
                        .build()));
    }

    /**
     * Leases a database for one test: waits for a free one, enters the server gate, empties the database.
     *
     * @param testName for messages
     * @return the lease
     */
    @Override
    public TestSession lease(String testName) {
        return lease(testName, true);
    }

    /**
     * @param testName for messages
     * @param counted  false for the warm-up lease at server start, which is left out of the report's statistics
     * @return the lease
     */
    private TestSession lease(String testName, boolean counted) {
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
            long t2 = System.nanoTime();
            boolean fast = emptiedInBackground(db);
            if (!fast) {
                flush(db);
            }
            long t3 = System.nanoTime();
            if (counted) {
                if (fast) {
                    fastResets.incrementAndGet();
                }
                synchronized (this) {
                    waitNanos.add(t1 - t0);
                    resetNanos.add(t3 - t2);
                }
            }
            return new TestSession(host, db, testName, proxy(db), testUri(db), control(db), spares.remove(db));
        } catch (RuntimeException e) {
            gate.leaveShared();
            pool.add(db);
            throw e;
        }
    }

    /**
     * Empties a database on prodlike's own connection. When the server restarted since that connection's last
     * command (a test that forgot an outage, a container restarted by the fault), the first command meets the old
     * socket's reset, and a reconnect Lettuce made while the container was starting (Docker's port proxy accepts,
     * then resets, until the server listens) may leave one more; Lettuce reconnects, and the command is sent again,
     * for up to {@link #FLUSH_RETRY}.
     */
    private void flush(int db) {
        long deadline = System.nanoTime() + FLUSH_RETRY.toNanos();
        while (true) {
            try {
                control(db).sync().flushdb();
                return;
            } catch (io.lettuce.core.RedisException e) {
                if (e instanceof io.lettuce.core.RedisCommandTimeoutException
                        || !(e.getCause() instanceof IOException)
                        || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * @param db a database being leased
     * @return true when its background flush completed and nothing was written into it since (proven by the
     *     keyspace notifications, see the class comment); it is then watched no longer
     */
    private boolean emptiedInBackground(int db) {
        RedisFuture<String> flush = flushes.remove(db);
        KeyspaceHub.Watch current = hub.watching(db);
        if (!backgroundReset || flush == null || current == null || current.dirty || !hub.connected()) {
            hub.unwatch(db);
            return false;
        }
        try {
            // Still in flight (the database came back moments ago): its reply is the next on prodlike's connection to
            // this database, so waiting for it is never slower than a FLUSHDB of our own, which would queue behind it.
            if (!"OK".equals(flush.get(PENDING_WAIT.toNanos(), TimeUnit.NANOSECONDS))) {
                hub.unwatch(db);
                return false;
            }
            if (!current.armed && !current.dirty) {
                // The sentinel's notification travels on the subscription's connection and normally arrives within
                // microseconds of the flush's reply; a short wait, then a FLUSHDB of our own.
                try {
                    current.armedSignal.get(ARM_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // flushed by the caller
                }
            }
            return hub.unwatch(db) == current && current.armed && !current.dirty;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            hub.unwatch(db);
            return false;
        } catch (ExecutionException | TimeoutException e) {
            hub.unwatch(db);
            return false;
        }
    }

    /**
     * Gets the server ready before the first test asks for it: waits (bounded) until the background flushes and spare
     * connections started by the constructor are done, then takes one lease through the path every test takes (lease,
     * handover of the spare connection, a command, release) and waits for its database to be ready again. The first
     * tests of the run then find every database emptied and connected, and the lease path loaded and run once,
     * instead of paying the JVM's first-call costs (class loading, interpreted code, a metadata GC) while they wait.
     */
    private void prepare() {
        long t0 = System.nanoTime();
        long deadline = t0 + PREPARE_TIMEOUT.toNanos();
        awaitBackground(deadline);
        try {
            TestSession warmUp = lease("the warm-up at server start", false);
            try {
                warmUp.connection().sync().dbsize();
            } finally {
                warmUp.close();
            }
        } catch (RuntimeException e) {
            // the first test meets the same problem and reports it
        }
        awaitBackground(deadline);
        prepareNanos = System.nanoTime() - t0;
    }

    /** Waits until every background flush, its sentinel's notification and every spare connection are done. */
    private void awaitBackground(long deadline) {
        for (Map.Entry<Integer, RedisFuture<String>> f : flushes.entrySet()) {
            await(f.getValue().toCompletableFuture(), deadline);
            KeyspaceHub.Watch watch = hub.watching(f.getKey());
            if (watch != null) {
                await(watch.armedSignal, deadline);
            }
        }
        for (ConnectionFuture<StatefulRedisConnection<String, String>> f : spares.values()) {
            await(f.toCompletableFuture(), deadline);
        }
    }

    private static void await(CompletableFuture<?> f, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            f.get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a failed flush or connection is handled at the lease, as without the wait
        }
    }

    /** @return how long the warm-up at server start took, in ms */
    double prepareMillis() {
        return Durations.ms(prepareNanos);
    }

    /** Watches an idle database, then writes a sentinel and flushes it, pipelined; nothing waits for the replies. */
    private void resetInBackground(int db) {
        if (!backgroundReset || closed) {
            return;
        }
        try {
            KeyspaceHub.Watch watch = hub.watch(db);
            RedisAsyncCommands<String, String> async = control(db).async();
            async.set(KeyspaceHub.SENTINEL + watch.id, "1");
            flushes.put(db, async.flushdb());
        } catch (RedisException e) {
            flushes.remove(db);
            hub.unwatch(db);
        }
    }

    /**
     * @param db    a database coming back
     * @param spare the spare its test did not use (still open, never used), or null: one is opened in the background
     */
    private void keepSpare(int db, StatefulRedisConnection<String, String> spare) {
        if (closed) {
            if (spare != null) {
                TestConnections.closeQuietly(spare);
            }
            return;
        }
        if (spare != null) {
            spares.put(db, ConnectionFuture.completed(null, spare));
        } else {
            try {
                spares.put(db, spareClient.connectAsync(StringCodec.UTF8, testUri(db)));
            } catch (RedisException e) {
                // the next test connects itself
            }
        }
    }

    void release(int db, StatefulRedisConnection<String, String> unusedSpare) {
        TcpProxy used = proxies.remove(db);
        if (used != null) {
            // the test's proxy goes with its faults and whatever connections it left open (the spare too)
            if (unusedSpare != null) {
                TestConnections.closeQuietly(unusedSpare);
                unusedSpare = null;
            }
            used.close();
        }
        resetInBackground(db);
        keepSpare(db, unusedSpare);
        pool.add(db);
    }

    /** @return how many leases found their database already emptied in the background */
    long fastResets() {
        return fastResets.get();
    }

    /** @return the per-test resets */
    synchronized Durations resetStats() {
        return Durations.of(resetNanos);
    }

    /** @return the waits for a free database */
    synchronized Durations waitStats() {
        return Durations.of(waitNanos);
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
        spares.clear(); // closed with their client, below
        proxies.values().forEach(TcpProxy::close);
        proxies.clear();
        spareClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        internalClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }
}
