package dev.prodlike.postgres.internal;

import dev.prodlike.faults.NetworkFaults;
import dev.prodlike.internal.net.Proxies;
import dev.prodlike.internal.net.TcpProxy;
import dev.prodlike.postgres.DatabaseFaults;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;

/** One test's (or class's) own clone of the migrated template; dropped in the background when closed. */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public final class TestDatabase
        implements TenantDatabase, AutoCloseable, ExtensionContext.Store.CloseableResource, AppSessions.Database {

    private final PostgresEnvironment.Prepared prepared;
    private final String name;
    /** What the test gets as the app role's DataSource: see AppSessions. */
    private final AppSessions app;

    private final PGSimpleDataSource owner;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The test's own proxy in front of the server, or null with network.proxy=off; the owner goes direct. */
    private final TcpProxy proxy;

    /** The connection opened ahead of this test, until the test takes it or gives it up; see ConnectionAhead. */
    private ConnectionAhead ahead;
    /** The backend of the connection opened ahead and not taken, once dropped (0: none). */
    private volatile int droppedBackend;
    /** The application's session its test left here for the next test; see park. */
    private ParkedSession parked;
    /** The backend of a parked session dropped for a fault (a database kept for a class), 0: none. */
    private volatile int droppedParked;
    /** Whether the test ended connections or started an outage: then no session of it is parked. */
    private volatile boolean connectionsEnded;

    TestDatabase(PostgresEnvironment.Prepared prepared, String name, ConnectionAhead ahead, boolean ownTest) {
        this.prepared = prepared;
        this.name = name;
        this.ahead = ahead;
        PgServer server = prepared.server;
        this.proxy = ahead != null
                ? ahead.proxy()
                : Proxies.openIfEnabled(
                        prepared.settings.profile(), server.host(), server.port(), "PostgreSQL database " + name);
        this.app = configure(
                        new AppSessions(this, ownTest),
                        appHost(prepared, proxy),
                        appPort(prepared, proxy),
                        name,
                        prepared.template.appRole,
                        prepared.template.appPassword)
                .configured();
        this.owner = dataSource(server.host(), server.port(), name, server.ownerUser(), server.ownerPassword());
    }

    private static String appHost(PostgresEnvironment.Prepared prepared, TcpProxy via) {
        return via == null ? prepared.server.host() : via.address().getAddress().getHostAddress();
    }

    private static int appPort(PostgresEnvironment.Prepared prepared, TcpProxy via) {
        return via == null ? prepared.server.port() : via.port();
    }

    /**
     * @param driverProperties PgJDBC properties (e.g. {@code socketTimeout}) of the code under test, applied on top;
     *                         names PgJDBC does not know are skipped
     * @return a DataSource as the app role through the test's proxy, like {@link #appDataSource()}
     */
    public DataSource appDataSource(Properties driverProperties) {
        return appDataSource(prepared, proxy, name, driverProperties);
    }

    private static PGSimpleDataSource appDataSource(
            PostgresEnvironment.Prepared prepared, TcpProxy via, String db, Properties driverProperties) {
        PGSimpleDataSource ds = dataSource(
                appHost(prepared, via),
                appPort(prepared, via),
                db,
                prepared.template.appRole,
                prepared.template.appPassword);
        for (String key : driverProperties.stringPropertyNames()) {
            try {
                ds.setProperty(key, driverProperties.getProperty(key));
            } catch (SQLException e) {
                // not a PgJDBC property (a pool's or another driver's): PgJDBC would ignore it as well
                org.slf4j.LoggerFactory.getLogger(TestDatabase.class).debug("skipping {}: {}", key, e.getMessage());
            }
        }
        return ds;
    }

    /**
     * From now on, each clone of this test's template gets its first connection as the app role, with these driver
     * properties, opened as soon as the clone is ready, before a test takes it; {@link #takeConnectionAhead} hands
     * it out. prodlike-spring asks for this: every test of a Spring application opens a connection. The first
     * caller's properties are kept. Not API.
     *
     * @param driverProperties the application's PgJDBC properties
     */
    public void connectAheadFromNowOn(Properties driverProperties) {
        Properties driver = (Properties) driverProperties.clone();
        PostgresEnvironment.Prepared p = prepared;
        prepared.template.clones.connectAhead(db -> {
            TcpProxy via = Proxies.openIfEnabled(
                    p.settings.profile(), p.server.host(), p.server.port(), "PostgreSQL database " + db);
            try {
                Connection c = appDataSource(p, via, db, driver).getConnection();
                if (via != null) {
                    via.setAside();
                }
                return new ConnectionAhead(via, c, driver);
            } catch (SQLException | RuntimeException e) {
                if (via != null) {
                    via.close();
                }
                org.slf4j.LoggerFactory.getLogger(TestDatabase.class)
                        .debug("no connection ahead to {}: {}", db, e.getMessage());
                return null;
            }
        });
    }

    /**
     * @return the backends of the sessions this database keeps beside its test's own connections: the one opened
     *     ahead and not taken yet, and the one a test left for the next ({@link #park}). Not API.
     */
    public synchronized Set<Integer> keptBackends() {
        Set<Integer> kept = new HashSet<>();
        if (parked != null) {
            kept.add(parked.backend());
        }
        if (ahead != null) {
            try {
                kept.add(ahead.connection().unwrap(PGConnection.class).getBackendPID());
            } catch (SQLException ignored) {
                // closed: it leaves
            }
        }
        return kept;
    }

    /** @return whether the next clone of this template became ready, with its connection ahead, in time. Not API. */
    public boolean awaitNextConnectionAhead(Duration timeout) throws InterruptedException {
        return prepared.template.clones.awaitNextAhead(timeout);
    }

    /** @return whether a connection opened ahead waits to be taken. Not API. */
    public synchronized boolean hasConnectionAhead() {
        return ahead != null;
    }

    /**
     * @param driverProperties the PgJDBC properties the caller would open its connection with
     * @return the connection as the app role opened to this database before its test took it (its session is new
     *     and untouched), now the caller's; null when there is none, or it was opened with other properties
     */
    public synchronized Connection takeConnectionAhead(Properties driverProperties) {
        if (ahead == null || !ahead.driver().equals(driverProperties) || closed.get()) {
            return null;
        }
        Connection c = ahead.connection();
        ahead = null;
        if (proxy != null) {
            proxy.adoptAside();
        }
        return c;
    }

    /**
     * Before a fault or the end: the connection nobody took goes, unseen in the proxy's statistics. Its backend may
     * take a moment to leave: {@code terminateConnections()} does not count it.
     */
    private synchronized void dropConnectionAhead() {
        if (ahead != null) {
            try {
                droppedBackend = ahead.connection().unwrap(PGConnection.class).getBackendPID();
            } catch (SQLException e) {
                droppedBackend = 0;
            }
            if (proxy != null) {
                proxy.dropAside();
            }
            try {
                ahead.connection().close();
            } catch (SQLException ignored) {
                // closed by the proxy already
            }
            ahead = null;
        }
    }

    /**
     * @param prepared a test class's server and migrated template
     * @param ownTest  whether it is one test's database (not kept for a class): then a connection its test closed
     *                 may stay in it for the next test ({@link AppSessions})
     * @return a fresh database of its own for one test (or class)
     */
    public static TestDatabase open(PostgresEnvironment.Prepared prepared, boolean ownTest) {
        try {
            String name = prepared.template.clones.acquire();
            return new TestDatabase(prepared, name, prepared.template.clones.takeAhead(name), ownTest);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not create a test database from template " + prepared.template.name + " on "
                            + prepared.server.description() + ": " + e.getMessage(),
                    e);
        }
    }

    private static PGSimpleDataSource dataSource(String host, int port, String db, String user, String password) {
        return configure(new PGSimpleDataSource(), host, port, db, user, password);
    }

    private static <T extends PGSimpleDataSource> T configure(
            T ds, String host, int port, String db, String user, String password) {
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(db);
        ds.setUser(user);
        if (password != null) {
            ds.setPassword(password);
        }
        ds.setApplicationName("prodlike-test");
        ds.setConnectTimeout(10);
        ds.setAssumeMinServerVersion(PgServer.ASSUME_MIN_SERVER_VERSION);
        return ds;
    }

    @Override
    public String jdbcUrl() {
        return proxy == null
                ? prepared.server.jdbcUrl(name)
                : "jdbc:postgresql://" + appHost(prepared, proxy) + ":" + appPort(prepared, proxy) + "/" + name;
    }

    @Override
    public String databaseName() {
        return name;
    }

    @Override
    public DataSource appDataSource() {
        return app;
    }

    @Override
    public DataSource ownerDataSource() {
        return owner;
    }

    @Override
    public DataSource asTenant(String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            throw new IllegalArgumentException(
                    "tenant must not be null or empty; use appDataSource() for" + " connections without a tenant");
        }
        String setting = tenantSetting();
        if (setting == null) {
            throw new IllegalStateException("asTenant(\"" + tenant + "\") needs the tenant setting: add "
                    + "postgres.tenant-setting=app.current_tenant (the setting your RLS policies read) to "
                    + "prodlike.properties.");
        }
        return new TenantDataSource(app, setting, tenant);
    }

    @Override
    public String appRole() {
        return prepared.template.appRole;
    }

    @Override
    public String tenantSetting() {
        return prepared.settings.tenantSetting();
    }

    @Override
    public String serverVersion() {
        return prepared.version;
    }

    @Override
    public DatabaseFaults faults() {
        return new DatabaseFaults() {
            @Override
            public NetworkFaults network() {
                dropConnectionAhead();
                dropParked();
                if (proxy == null) {
                    throw Proxies.off("PostgreSQL database " + name);
                }
                return proxy;
            }

            @Override
            public int terminateConnections() {
                connectionsEnded = true;
                dropConnectionAhead();
                dropParked();
                try (Connection c = prepared.server.ownerConnection(prepared.server.adminDatabase())) {
                    return terminate(c);
                } catch (SQLException e) {
                    throw new IllegalStateException(
                            "Could not terminate connections to " + name + ": " + e.getMessage(), e);
                }
            }

            @Override
            public Outage outage() {
                connectionsEnded = true;
                dropConnectionAhead();
                dropParked();
                try (Connection c = prepared.server.ownerConnection(prepared.server.adminDatabase());
                        Statement s = c.createStatement()) {
                    s.execute("ALTER DATABASE " + Sql.ident(name) + " ALLOW_CONNECTIONS false");
                    terminate(c);
                } catch (SQLException e) {
                    throw new IllegalStateException("Could not start an outage of " + name + ": " + e.getMessage(), e);
                }
                AtomicBoolean ended = new AtomicBoolean();
                return () -> {
                    if (ended.compareAndSet(false, true)) {
                        try (Connection c = prepared.server.ownerConnection(prepared.server.adminDatabase());
                                Statement s = c.createStatement()) {
                            s.execute("ALTER DATABASE " + Sql.ident(name) + " ALLOW_CONNECTIONS true");
                        } catch (SQLException e) {
                            throw new IllegalStateException(
                                    "Could not end the outage of " + name + ": " + e.getMessage(), e);
                        }
                    }
                };
            }

            private int terminate(Connection c) throws SQLException {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid))"
                        + " FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid() AND pid NOT IN (?, ?)"
                        + " AND application_name IS DISTINCT FROM '" + DatabaseState.CHECK_SESSION + "'")) {
                    ps.setString(1, name);
                    ps.setInt(2, droppedBackend);
                    ps.setInt(3, droppedParked);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }
            }
        };
    }

    /**
     * Leaves the application's connection in this database when its test ends, for the test that gets the database
     * next, should the pool hand it on (see {@link ParkedSession}). The session is reset with {@code DISCARD ALL}
     * (settings, the tenant, prepared statements, temporary tables, advisory locks, {@code LISTEN}) and its statistics
     * are flushed, so that the reuse check sees the test's writes through it. Only where the pool checks returned
     * databases and opens connections ahead, and only when the test started no fault (on its network, or by ending
     * connections or an outage): its proxy goes on with the session to the next test. prodlike-spring calls this
     * for one of the application's idle connections. Not API.
     *
     * @param c                the connection, idle and as the app role, opened with {@code driverProperties}
     * @param driverProperties the PgJDBC properties it was opened with
     * @return whether this database took it (it then closes it when no test takes it); false: the caller keeps it
     */
    public synchronized boolean park(Connection c, Properties driverProperties) {
        if (closed.get()
                || parked != null
                || connectionsEnded
                || (proxy != null && proxy.faultsStarted())
                || !prepared.template.clones.takesParkedSessions()) {
            return false;
        }
        try {
            if (c.isClosed()) {
                return false;
            }
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            try (Statement s = c.createStatement()) {
                s.execute("DISCARD ALL"); // not in one statement with the next: it refuses a transaction block
                // reported before the reply: the reuse check must count what the test wrote through this session
                s.execute("SELECT pg_catalog.pg_stat_force_next_flush()");
            }
            int backend = c.unwrap(PGConnection.class).getBackendPID();
            parked = new ParkedSession(new ConnectionAhead(proxy, c, (Properties) driverProperties.clone()), backend);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Before a fault: a session parked by an earlier test of the class that keeps this database goes, as a connection
     * opened ahead does, so the faults and the counts see only the test's own connections.
     */
    private synchronized void dropParked() {
        if (parked != null) {
            droppedParked = parked.backend();
            parked.closeConnectionQuietly();
            parked = null;
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            dropConnectionAhead();
            ParkedSession leave = handOnParked();
            if (proxy != null && leave == null) {
                proxy.close();
            }
            prepared.template.clones.release(name, leave);
        }
    }

    /**
     * @return the parked session with the proxy set aside for the next test, or null when there is none or the
     *     proxy still carries another connection of the test (which is closing): then the session is closed
     */
    private synchronized ParkedSession handOnParked() {
        ParkedSession p = parked;
        parked = null;
        if (p == null || proxy == null) {
            return p;
        }
        if (proxy.faultsStarted()) { // after it parked: the proxy is not handed on
            p.closeConnectionQuietly();
            return null;
        }
        // the test's other connections were closed just before: their links end within a few milliseconds
        for (int i = 0; i < 50; i++) {
            if (proxy.setAsideOnlyConnection()) {
                return p;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.closeConnectionQuietly();
        return null;
    }

    /**
     * Returns this database to its pool now, before its test ends, and waits until the pool decided what becomes
     * of it: prodlike's own tests use it to check each decision and to have a handed-on database ready before the
     * next test takes one. Not API.
     *
     * @param timeout how long to wait for the decision
     * @return the decision
     * @throws IllegalStateException when it was closed already, or no decision came within the timeout
     */
    public Verdict closeAndAwaitVerdict(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " was returned already");
        }
        dropConnectionAhead();
        ParkedSession leave = handOnParked();
        if (proxy != null && leave == null) {
            proxy.close();
        }
        try {
            return prepared.template.clones.release(name, leave).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the verdict on " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no verdict on " + name + " within " + timeout, e);
        }
    }

    @Override
    public String toString() {
        return "TenantDatabase[" + name + " on " + prepared.server.description() + "]";
    }
}
