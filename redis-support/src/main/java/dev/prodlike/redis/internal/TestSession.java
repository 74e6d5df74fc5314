package dev.prodlike.redis.internal;

import dev.prodlike.redis.KeyspaceRecorder;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisFaults;
import dev.prodlike.redis.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One test's lease of a logical database on a shared server: the {@link RedisEnvironment} and {@link RedisFaults}
 * handed to the test, the Lettuce client and connection injected into it, and the cleanup when the test ends.
 */
public final class TestSession implements RedisLease, RedisFaults {

    /** How long {@link #settle()} waits at most for the application's asynchronous commands. */
    public static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);

    private final SharedServer shared;
    private final int db;
    private final String testName;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    /** Opened in the background when this database came back from its previous test; null when none was. */
    private io.lettuce.core.ConnectionFuture<StatefulRedisConnection<String, String>> spare;

    private RecorderImpl recorder;
    private boolean exclusive;
    private OutageImpl outage;
    private boolean closed;
    /** The application's asynchronous commands on this database (registered by the Spring integration). */
    private final InFlightSet inFlight = new InFlightSet();
    /** How long a test waits for its spare connection still connecting, before opening one of its own. */
    private static final Duration SPARE_WAIT = Duration.ofSeconds(2);

    /** This lease's proxy, or null when connections go to the server directly. */
    private final dev.prodlike.internal.net.TcpProxy proxy;

    TestSession(SharedServer shared, int db, String testName) {
        this.shared = shared;
        this.db = db;
        this.testName = testName;
        this.proxy = shared.proxy(db);
        this.spare = shared.takeSpare(db);
    }

    /** @return prodlike's own connection to this test's database */
    public RedisCommands<String, String> control() {
        return shared.control(db).sync();
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
    public synchronized RedisClient client() {
        if (client == null) {
            client = RedisClient.create(shared.resources, shared.testUri(db));
        }
        return client;
    }

    /** @return the connection of this test, to its database; opened on first use */
    public synchronized StatefulRedisConnection<String, String> connection() {
        if (connection == null) {
            StatefulRedisConnection<String, String> ready = readySpare();
            connection = ready != null ? ready : client().connect();
        }
        return connection;
    }

    /**
     * @return the spare connection, waiting for it when it is still connecting (it is ahead of a new one); null when
     *     there is none or it failed (a late one is closed once it connects)
     */
    private StatefulRedisConnection<String, String> readySpare() {
        var f = spare;
        spare = null;
        if (f == null) {
            return null;
        }
        StatefulRedisConnection<String, String> c;
        try {
            c = f.toCompletableFuture().get(SPARE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(TestSession::closeQuietly);
            return null;
        } catch (ExecutionException | TimeoutException e) {
            f.thenAccept(TestSession::closeQuietly);
            return null;
        }
        if (c != null && c.isOpen()) {
            return c;
        }
        if (c != null) {
            closeQuietly(c);
        }
        return null;
    }

    /** Closes a connection unless it is closed already (Lettuce warns about a second close). */
    static void closeQuietly(StatefulRedisConnection<String, String> c) {
        if (c instanceof io.lettuce.core.RedisChannelHandler<?, ?> h && h.isClosed()) {
            return;
        }
        c.closeAsync();
    }

    @Override
    public URI uri() {
        URI direct = URI.create(shared.server.uri(db));
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
                ? shared.server.host()
                : proxy.address().getAddress().getHostAddress();
    }

    @Override
    public int port() {
        return proxy == null ? shared.server.port() : proxy.port();
    }

    @Override
    public dev.prodlike.faults.NetworkFaults network() {
        if (proxy == null) {
            if (shared.baseUri().isSsl()) {
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
        return shared.version;
    }

    @Override
    public String provider() {
        return shared.server.provider();
    }

    @Override
    public synchronized KeyspaceRecorder recorder() {
        if (recorder == null) {
            if (!shared.notificationsEnabled) {
                throw new IllegalStateException("Cannot record the keyspace of " + shared.description() + ": its"
                        + " notify-keyspace-events is '" + shared.notificationsSetting + "', which lacks keyspace"
                        + " events of every class (K plus A).\nprodlike never changes the configuration of an"
                        + " external server.\nFix: run CONFIG SET notify-keyspace-events KEA on it (or set it in"
                        + " its redis.conf), or use provider=embedded or docker, which enable it.");
            }
            recorder = new RecorderImpl(
                    shared.hub.source(db, control()), shared.control(db).async(), this::settle);
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
        synchronized (this) {
            // an unused spare is prodlike's, not the test's: it must not count among the test's connections
            StatefulRedisConnection<String, String> unused = readySpare();
            if (unused != null) {
                closeQuietly(unused);
            }
        }
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
        shared.server.stopForOutage();
        outage = new OutageImpl();
        return outage;
    }

    private void requireProvisioned(String fault) {
        if (!shared.server.provisioned()) {
            throw new UnsupportedOperationException("Cannot inject a " + fault + " into " + shared.description()
                    + ": prodlike never pauses or stops a server it did not start.\nFix: run this test with"
                    + " provider=embedded or docker (e.g. @RedisSession(provider = Provider.EMBEDDED)).");
        }
    }

    private synchronized void escalate() {
        if (exclusive) {
            return;
        }
        try {
            shared.gate.escalate();
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
                shared.server.restart();
                shared.invalidateBackgroundResets();
                String failure = awaitAnswer();
                if (failure != null) {
                    throw new IllegalStateException("Redis did not answer on " + shared.server.host() + ":"
                            + shared.server.port()
                            + " after the outage: " + failure);
                }
                settle(control());
                if (connection != null) {
                    settle(connection.sync());
                }
                if (recorder != null) {
                    // wait until the recorder's subscription is restored
                    shared.hub.sync(db, control(), RecorderImpl.SYNC_TIMEOUT);
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
            last = EmbeddedRedis.ping(shared.server.host(), shared.server.port());
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
            if (spare != null && spare.isDone() && !spare.toCompletableFuture().isCompletedExceptionally()) {
                StatefulRedisConnection<String, String> c =
                        spare.toCompletableFuture().getNow(null);
                if (c != null && c.isOpen() && !exclusive) {
                    unusedSpare = c;
                } else if (c != null) {
                    closeQuietly(c);
                }
            } else if (spare != null) {
                spare.thenAccept(TestSession::closeQuietly);
            }
            spare = null;
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
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
                shared.gate.leaveExclusive();
            } else {
                shared.gate.leaveShared();
            }
            shared.release(db, unusedSpare);
        }
    }

    @Override
    public String toString() {
        return "Redis database " + db + " of " + shared.description() + " for " + testName;
    }
}
