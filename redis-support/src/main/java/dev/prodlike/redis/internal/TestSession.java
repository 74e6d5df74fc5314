package dev.prodlike.redis.internal;

import dev.prodlike.internal.net.TcpProxy;
import dev.prodlike.redis.KeyspaceRecorder;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisFaults;
import dev.prodlike.redis.RedisKeys;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One test's lease of a logical database on a shared server: the {@link RedisEnvironment} and {@link RedisFaults}
 * handed to the test, the Lettuce client and connection injected into it, and the cleanup when the test ends.
 */
public final class TestSession implements RedisLease, RedisFaults {

    /** How long {@link #settle()} waits at most for the application's asynchronous commands. */
    public static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The shared server this lease came from, as a lease uses it: what it reports and the parts a lease acts on, not
     * the pool that leases its databases (the pool creates leases, so it depends on this class, never the reverse).
     *
     * @param server               the running server
     * @param version              the version it reports
     * @param resources            the Lettuce resources every client prodlike creates shares
     * @param hub                  its keyspace notifications
     * @param gate                 shared use of the server, or one test's exclusive use for a fault
     * @param notificationsSetting its notify-keyspace-events
     * @param notificationsEnabled true when they cover every class of keyspace event prodlike reports
     * @param release              takes a database back when its test ends
     */
    record Host(
            RedisServer server,
            String version,
            ClientResources resources,
            KeyspaceHub hub,
            ServerGate gate,
            String notificationsSetting,
            boolean notificationsEnabled,
            Release release) {}

    /** Takes a database back into the server's pool. */
    @FunctionalInterface
    interface Release {
        /**
         * @param db          the database the test held
         * @param unusedSpare the spare connection the test did not use (open, never used), or null
         */
        void release(int db, StatefulRedisConnection<String, String> unusedSpare);
    }

    private final Host host;
    private final int db;
    private final String testName;
    /** prodlike's own connection to this database (never dropped by faults). */
    private final StatefulRedisConnection<String, String> control;

    private final TestConnections connections;
    private RecorderImpl recorder;
    private boolean exclusive;
    private OutageImpl outage;
    private boolean closed;
    /** The application's asynchronous commands on this database (registered by the Spring integration). */
    private final InFlightSet inFlight = new InFlightSet();

    /** This lease's proxy, or null when connections go to the server directly. */
    private final TcpProxy proxy;

    /**
     * @param host     the server the database belongs to
     * @param db       the database leased, emptied
     * @param testName for messages
     * @param proxy    the lease's proxy, or null when connections go to the server directly
     * @param testUri  where the test's clients connect
     * @param control  prodlike's own connection to the database
     * @param spare    a connection to it opened in the background, or null
     */
    TestSession(
            Host host,
            int db,
            String testName,
            TcpProxy proxy,
            RedisURI testUri,
            StatefulRedisConnection<String, String> control,
            ConnectionFuture<StatefulRedisConnection<String, String>> spare) {
        this.host = host;
        this.db = db;
        this.testName = testName;
        this.proxy = proxy;
        this.control = control;
        this.connections = new TestConnections(host.resources(), testUri, spare);
    }

    /** @return prodlike's own connection to this test's database */
    public RedisCommands<String, String> control() {
        return control.sync();
    }

    @Override
    public RedisCommands<String, String> controlCommands() {
        return control();
    }

    /**
     * Registers commands of the code under test that may complete after the call that issued them returned; see
     * {@link #settle()}.
     *
     * @param commands the tracker
     */
    @Override
    public void track(InFlightCommands commands) {
        inFlight.add(commands);
    }

    /**
     * Waits until every command the code under test has issued so far on this database completed (asynchronous
     * writes, see {@link InFlightCommands}), at most {@link #SETTLE_TIMEOUT} in all. Called before prodlike reads the
     * keyspace to judge it.
     *
     * @return how many were still in flight when the wait ended (0 normally)
     */
    @Override
    public int settle() {
        return inFlight.settle(SETTLE_TIMEOUT, testName);
    }

    @Override
    public Object parameter(Class<?> type) {
        if (type == RedisEnvironment.class) {
            return this;
        }
        if (type == RedisClient.class) {
            return client();
        }
        if (type == StatefulRedisConnection.class) {
            return connection();
        }
        if (type == RedisCommands.class) {
            return connection().sync();
        }
        if (type == RedisAsyncCommands.class) {
            return connection().async();
        }
        throw new IllegalArgumentException("this test's Redis is a standalone server (" + RedisKeys.TOPOLOGY
                + "=standalone), and " + type.getSimpleName() + " is a Redis Cluster type; ask for RedisClient,"
                + " StatefulRedisConnection<String, String>, RedisCommands<String, String> or RedisAsyncCommands<String,"
                + " String>, or run the test against a cluster: @RedisSession(topology = RedisTopology.CLUSTER)");
    }

    /** @return the Lettuce client of this test, pointed at its database; created on first use */
    public RedisClient client() {
        return connections.client();
    }

    /** @return the connection of this test, to its database; opened on first use */
    public StatefulRedisConnection<String, String> connection() {
        return connections.connection();
    }

    @Override
    public URI uri() {
        URI direct = URI.create(host.server().uri(db));
        if (proxy == null) {
            return direct;
        }
        try {
            return new URI(
                    direct.getScheme(),
                    direct.getUserInfo(),
                    host(),
                    port(),
                    direct.getPath(),
                    direct.getQuery(),
                    direct.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Cannot point " + direct + " at the test's proxy: " + e.getMessage(), e);
        }
    }

    @Override
    public String host() {
        return proxy == null
                ? host.server().host()
                : proxy.address().getAddress().getHostAddress();
    }

    @Override
    public int port() {
        return proxy == null ? host.server().port() : proxy.port();
    }

    @Override
    public dev.prodlike.faults.NetworkFaults network() {
        if (proxy == null) {
            if (host.server().baseUri().isSsl()) {
                throw new UnsupportedOperationException("Cannot inject network faults into " + this + ": the server"
                        + " is reached over TLS, whose certificate names the server, so prodlike does not put a proxy"
                        + " in front of it.\nFix: test network faults against provider=embedded or docker.");
            }
            throw dev.prodlike.internal.net.Proxies.off(toString());
        }
        return proxy;
    }

    @Override
    public int database() {
        return db;
    }

    @Override
    public String serverVersion() {
        return host.version();
    }

    @Override
    public String provider() {
        return host.server().provider();
    }

    @Override
    public synchronized KeyspaceRecorder recorder() {
        if (recorder == null) {
            if (!host.notificationsEnabled()) {
                throw new IllegalStateException("Cannot record the keyspace of "
                        + host.server().description() + ": its"
                        + " notify-keyspace-events is '" + host.notificationsSetting() + "', which lacks keyspace"
                        + " events of every class (K plus A).\nprodlike never changes the configuration of an"
                        + " external server.\nFix: run CONFIG SET notify-keyspace-events KEA on it (or set it in"
                        + " its redis.conf), or use provider=embedded or docker, which enable it.");
            }
            recorder = new RecorderImpl(host.hub().source(db, control()), control.async(), this::settle);
        }
        return recorder;
    }

    @Override
    public RedisFaults faults() {
        return this;
    }

    // --- faults ---

    @Override
    public void pause(Duration duration) {
        if (duration == null
                || duration.isNegative()
                || duration.isZero()
                || duration.compareTo(Duration.ofSeconds(MAX_PAUSE_SECONDS)) > 0) {
            throw new IllegalArgumentException(
                    "A pause must last from 1 ms to " + MAX_PAUSE_SECONDS + " s but was: " + duration);
        }
        requireProvisioned("pause");
        escalate();
        control().clientPause(Math.max(1, duration.toMillis()));
    }

    @Override
    public int dropConnections() {
        connections.closeUnusedSpare();
        String list = control().clientList();
        List<Long> victims = new ArrayList<>();
        for (String line : list.split("\r?\n")) {
            String id = field(line, "id");
            String name = field(line, "name");
            String database = field(line, "db");
            if (id != null
                    && String.valueOf(db).equals(database)
                    && !KeyspaceHub.CLIENT_NAME.equals(name)
                    && !KeyspaceHub.CONTROL_NAME.equals(name)) {
                victims.add(Long.parseLong(id));
            }
        }
        int killed = 0;
        for (long id : victims) {
            try {
                killed += control()
                        .clientKill(io.lettuce.core.KillArgs.Builder.id(id))
                        .intValue();
            } catch (RedisException e) {
                // gone already
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
    public synchronized Outage outage() {
        requireProvisioned("outage");
        if (outage != null && !outage.closed) {
            throw new IllegalStateException("An outage of this server is already running; close it first");
        }
        escalate();
        // Tests waiting for the server (they had already written data) must find their keyspaces intact after the
        // outage; this test's keyspace comes back empty, like a cache restarted without persistence. So: empty this
        // database, snapshot the rest (SAVE, into the server's own run directory or container), and let the restarted
        // server load the snapshot; the file is deleted once it is back.
        control().flushdb();
        control().save();
        host.server().stopForOutage();
        outage = new OutageImpl();
        return outage;
    }

    private void requireProvisioned(String fault) {
        if (!host.server().provisioned()) {
            throw new UnsupportedOperationException(
                    "Cannot inject a " + fault + " into " + host.server().description()
                            + ": prodlike never pauses or stops a server it did not start.\nFix: run this test with"
                            + " provider=embedded or docker (e.g. @RedisSession(provider = Provider.EMBEDDED)).");
        }
    }

    private synchronized void escalate() {
        if (exclusive) {
            return;
        }
        try {
            host.gate().escalate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the other tests on the server to end", e);
        }
        exclusive = true;
    }

    private final class OutageImpl implements Outage {
        private boolean closed;

        @Override
        public void close() {
            synchronized (TestSession.this) {
                if (closed) {
                    return;
                }
                closed = true;
                host.server().restart();
                // notifications may have been lost: every idle database is flushed at its next lease
                host.hub().invalidateWatches();
                String failure = awaitAnswer();
                if (failure != null) {
                    throw new IllegalStateException(
                            "Redis did not answer on " + host.server().host() + ":"
                                    + host.server().port()
                                    + " after the outage: " + failure);
                }
                settle(control());
                StatefulRedisConnection<String, String> connection = connections.opened();
                if (connection != null) {
                    settle(connection.sync());
                }
                if (recorder != null) {
                    // wait until the recorder's subscription is restored
                    host.hub().sync(db, control(), RecorderImpl.SYNC_TIMEOUT);
                }
            }
        }
    }

    /**
     * Waits until a connection prodlike handed out answers again. While the server was down, Lettuce kept
     * reconnecting; an attempt that reached Docker's port proxy before redis-server listened is reset moments later,
     * and the command in flight fails with "Connection reset". Absorbed here, so the test's next command finds a
     * connection to the running server.
     */
    private static void settle(io.lettuce.core.api.sync.RedisCommands<String, String> commands) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                commands.ping();
                return;
            } catch (io.lettuce.core.RedisException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String awaitAnswer() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = EmbeddedRedis.ping(host.server().host(), host.server().port());
            if (last == null) {
                return null;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return last;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        StatefulRedisConnection<String, String> unusedSpare = null;
        try {
            unusedSpare = connections.takeUnusedSpare(!exclusive);
            connections.close();
            if (recorder != null) {
                recorder.close();
            }
            if (outage != null) {
                outage.close();
            }
            if (exclusive) {
                try {
                    control()
                            .dispatch(
                                    CommandType.CLIENT,
                                    new StatusOutput<>(StringCodec.UTF8),
                                    new CommandArgs<>(StringCodec.UTF8).add("UNPAUSE"));
                } catch (RedisException ignored) {
                    // nothing paused
                }
            }
        } finally {
            if (exclusive) {
                host.gate().leaveExclusive();
            } else {
                host.gate().leaveShared();
            }
            host.release().release(db, unusedSpare);
        }
    }

    @Override
    public String toString() {
        return "Redis database " + db + " of " + host.server().description() + " for " + testName;
    }
}
