package dev.prodlike.spring.internal;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.postgres.internal.TestDatabase;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The application's connections to one test's database: physical connections as the app role (carrying the tenant
 * of {@code @TenantContext}), reused within the test and closed when it ends, before its database is dropped or
 * handed on; one of them may stay in the database for the next test (see {@link #close()}).
 */
final class TestConnections {

    private final String test;
    private final TenantDatabase database;
    private final String tenant;
    private final ConnectionSettings settings;
    /** The application's own PgJDBC settings (its timeouts), applied to every connection; see DriverProperties. */
    private final DataSource source;

    private final Properties driver;

    private final Deque<Connection> idle = new ArrayDeque<>();
    private final Set<Connection> all = ConcurrentHashMap.newKeySet();
    private boolean closed;

    TestConnections(String test, TenantDatabase database, String tenant, ConnectionSettings settings) {
        this(test, database, tenant, settings, new Properties());
    }

    TestConnections(
            String test, TenantDatabase database, String tenant, ConnectionSettings settings, Properties driver) {
        this.test = test;
        this.database = database;
        this.tenant = tenant;
        this.settings = settings;
        this.driver = driver;
        // the driver's own DataSource: the application's pool opens, closes and parks physical connections itself
        this.source = database instanceof TestDatabase own ? own.appDataSource(driver) : database.appDataSource();
        if (database instanceof TestDatabase own) {
            // every test of the application opens a connection: the next tests' first ones are opened ahead
            own.connectAheadFromNowOn(driver);
        }
    }

    Connection get() throws SQLException {
        Connection physical;
        synchronized (this) {
            if (closed) {
                throw new SQLException(
                        "The test " + test + " has ended and its database " + database.databaseName()
                                + " is dropped; prodlike hands out no connection to it.",
                        "08003");
            }
            physical = idle.pollFirst();
        }
        if (physical == null || physical.isClosed()) {
            physical = open();
        }
        return logical(physical);
    }

    private Connection open() throws SQLException {
        Connection ahead = database instanceof TestDatabase own ? own.takeConnectionAhead(driver) : null;
        if (ahead != null) {
            try {
                prepare(ahead);
                all.add(ahead);
                return ahead;
            } catch (SQLException e) {
                // opened ahead (or left by an earlier test) and ended since, e.g. by idle_session_timeout or a
                // test that ended connections: a new one takes its place
                closeQuietly(ahead);
            }
        }
        Connection c = source.getConnection();
        try {
            prepare(c);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        all.add(c);
        return c;
    }

    /** Sets the test's tenant and runs the application's connection-init-sql. */
    private void prepare(Connection c) throws SQLException {
        if (tenant != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, false)")) {
                ps.setString(1, database.tenantSetting());
                ps.setString(2, tenant);
                ps.execute();
            }
        }
        if (settings.initSql() != null) {
            try (Statement s = c.createStatement()) {
                s.execute(settings.initSql());
            }
        }
    }

    private Connection logical(Connection physical) throws SQLException {
        physical.setAutoCommit(settings.autoCommit());
        if (settings.isolation() >= 0) {
            physical.setTransactionIsolation(settings.isolation());
        }
        physical.setReadOnly(settings.readOnly());
        boolean[] returned = {false};
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            int n = method.getParameterCount();
            if (name.equals("close") && n == 0) {
                if (!returned[0]) {
                    returned[0] = true;
                    release(physical);
                }
                return null;
            }
            if (name.equals("isClosed") && n == 0) {
                return returned[0] || physical.isClosed();
            }
            if (name.equals("toString") && n == 0) {
                return "prodlike connection to " + database.databaseName() + " for " + test;
            }
            if (name.equals("equals") && n == 1) {
                return proxy == args[0];
            }
            if (name.equals("hashCode") && n == 0) {
                return System.identityHashCode(proxy);
            }
            if (returned[0]) {
                throw new SQLException("Connection is closed", "08003");
            }
            try {
                return method.invoke(physical, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(
                TestConnections.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    private void release(Connection physical) {
        try {
            if (!physical.isClosed() && !physical.getAutoCommit()) {
                physical.rollback();
            }
        } catch (SQLException e) {
            closeQuietly(physical);
            return;
        }
        synchronized (this) {
            if (!closed) {
                idle.addFirst(physical);
                return;
            }
        }
        closeQuietly(physical);
    }

    /**
     * Closes every connection, also those still in use: the test is over and its database goes, or is handed on.
     * One idle connection is left in the database instead (reset, see {@link TestDatabase#park}): if the database is
     * handed on, the next test's application gets it as its first connection, a backend whose caches are warm.
     */
    void close() {
        Connection keep;
        synchronized (this) {
            closed = true;
            keep = idle.peekFirst();
            idle.clear();
        }
        if (keep != null && database instanceof TestDatabase own && own.park(keep, driver)) {
            all.remove(keep);
        }
        all.forEach(TestConnections::closeQuietly);
        all.clear();
    }

    int opened() {
        return all.size();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the database is dropped next; nothing to keep
        }
    }
}
