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
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/** One test's (or class's) own clone of the migrated template; dropped in the background when closed. */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public final class TestDatabase implements TenantDatabase, AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final PostgresEnvironment.Prepared prepared;
    private final String name;
    private final PGSimpleDataSource app;
    private final PGSimpleDataSource owner;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The test's own proxy in front of the server, or null with network.proxy=off; the owner goes direct. */
    private final TcpProxy proxy;

    TestDatabase(PostgresEnvironment.Prepared prepared, String name) {
        this.prepared = prepared;
        this.name = name;
        PgServer server = prepared.server;
        this.proxy = Proxies.openIfEnabled(
                prepared.settings.profile(), server.host(), server.port(), "PostgreSQL database " + name);
        this.app = dataSource(appHost(), appPort(), name, prepared.template.appRole, prepared.template.appPassword);
        this.owner = dataSource(server.host(), server.port(), name, server.ownerUser(), server.ownerPassword());
    }

    private String appHost() {
        return proxy == null
                ? prepared.server.host()
                : proxy.address().getAddress().getHostAddress();
    }

    private int appPort() {
        return proxy == null ? prepared.server.port() : proxy.port();
    }

    /**
     * @param driverProperties PgJDBC properties (e.g. {@code socketTimeout}) of the code under test, applied on top;
     *                         names PgJDBC does not know are skipped
     * @return a DataSource as the app role through the test's proxy, like {@link #appDataSource()}
     */
    public DataSource appDataSource(Properties driverProperties) {
        PGSimpleDataSource ds =
                dataSource(appHost(), appPort(), name, prepared.template.appRole, prepared.template.appPassword);
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
     * @param prepared a test class's server and migrated template
     * @return a fresh database of its own for one test (or class)
     */
    public static TestDatabase open(PostgresEnvironment.Prepared prepared) {
        try {
            return new TestDatabase(prepared, prepared.template.clones.acquire());
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not create a test database from template " + prepared.template.name + " on "
                            + prepared.server.description() + ": " + e.getMessage(),
                    e);
        }
    }

    private static PGSimpleDataSource dataSource(String host, int port, String db, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
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
                : "jdbc:postgresql://" + appHost() + ":" + appPort() + "/" + name;
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
                if (proxy == null) {
                    throw Proxies.off("PostgreSQL database " + name);
                }
                return proxy;
            }

            @Override
            public int terminateConnections() {
                try (Connection c = prepared.server.ownerConnection(prepared.server.adminDatabase())) {
                    return terminate(c);
                } catch (SQLException e) {
                    throw new IllegalStateException(
                            "Could not terminate connections to " + name + ": " + e.getMessage(), e);
                }
            }

            @Override
            public Outage outage() {
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
                        + " FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }
            }
        };
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (proxy != null) {
                proxy.close();
            }
            prepared.template.clones.release(name);
        }
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
        try {
            return prepared.template.clones.release(name).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
