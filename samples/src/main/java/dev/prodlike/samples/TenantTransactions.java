package dev.prodlike.samples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work as one tenant inside one transaction on a HikariCP pool of {@code orders_app} connections.
 *
 * <p>The tenant is set with {@code set_config('app.current_tenant', tenant, true)} — the function form of
 * {@code SET LOCAL} — as the transaction's first statement, so it ends with the transaction: a pooled connection
 * never carries one tenant into another request.
 *
 * <p>After a failover or a killed backend the pool holds dead connections. Work marked idempotent (reads, PUTs) is
 * retried by resilience4j on connection failures (SQLState class 08, 57P01-57P03) after evicting the pool's
 * connections; inserts are not retried, since a commit lost in flight could otherwise be applied twice.
 *
 * @since 0.1.0
 */
public final class TenantTransactions implements AutoCloseable {

    /** The setting the row-level security policies read. */
    public static final String TENANT_SETTING = "app.current_tenant";

    private static final Logger LOG = LoggerFactory.getLogger(TenantTransactions.class);

    private final HikariDataSource pool;
    private final Retry retry;
    /** JDBC network timeout of every connection handed out, in ms; 0: none (PgJDBC's default). */
    private final int networkTimeoutMillis;

    /**
     * @param connections where connections come from (the driver's DataSource for the {@code orders_app} role)
     * @param poolSize    maximum pool size
     */
    public TenantTransactions(DataSource connections, int poolSize) {
        this(connections, poolSize, Duration.ofSeconds(2));
    }

    /**
     * @param connections    where connections come from (the driver's DataSource for the {@code orders_app} role)
     * @param poolSize       maximum pool size
     * @param networkTimeout how long one round trip may take on a connection (null: no bound, as PgJDBC's default)
     */
    public TenantTransactions(DataSource connections, int poolSize, Duration networkTimeout) {
        this.networkTimeoutMillis = networkTimeout == null ? 0 : (int) networkTimeout.toMillis();
        HikariConfig config = new HikariConfig();
        config.setPoolName("orders-db");
        config.setDataSource(connections);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1); // start even while the database is unreachable
        this.pool = new HikariDataSource(config);
        this.retry = Retry.of(
                "orders-db",
                RetryConfig.custom()
                        .maxAttempts(3)
                        .waitDuration(Duration.ofMillis(100))
                        .retryOnException(e -> e instanceof SQLException s && isConnectionFailure(s))
                        .build());
    }

    /**
     * Work done on a connection whose transaction carries the tenant.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * @param connection the connection, inside the tenant's transaction
         * @return the result
         * @throws SQLException on failure; the transaction is rolled back
         */
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs idempotent work (reads, updates to a given state), retried after connection failures.
     *
     * @param tenant the tenant
     * @param work   the work
     * @param <T>    its result type
     * @return its result
     * @throws SQLException when it fails, also after retries
     */
    public <T> T idempotent(String tenant, Work<T> work) throws SQLException {
        try {
            return retry.executeCallable(() -> once(tenant, work));
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs work once, without retry (inserts).
     *
     * @param tenant the tenant
     * @param work   the work
     * @param <T>    its result type
     * @return its result
     * @throws SQLException when it fails
     */
    public <T> T once(String tenant, Work<T> work) throws SQLException {
        try (Connection c = connection()) {
            try {
                try (PreparedStatement set = c.prepareStatement("SELECT set_config(?, ?, true)")) {
                    set.setString(1, TENANT_SETTING);
                    set.setString(2, tenant);
                    set.execute();
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            if (isConnectionFailure(e)) {
                LOG.warn(
                        "Database connection failed ({}: {}); evicting pooled connections",
                        e.getSQLState(),
                        e.getMessage());
                pool.getHikariPoolMXBean().softEvictConnections();
            }
            throw e;
        }
    }

    /** @return whether a connection can be had and answers, within about a second */
    public boolean isReachable() {
        try (Connection c = connection();
                ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * @return a pooled connection whose round trips are bounded by the network timeout (HikariCP bounds only the wait
     *     for a connection, never a query); the pool restores the timeout when the connection comes back
     */
    private Connection connection() throws SQLException {
        Connection c = pool.getConnection();
        if (networkTimeoutMillis > 0) {
            try {
                c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** @return the service's connection pool (tests check what a returned connection carries) */
    public DataSource pool() {
        return pool;
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static boolean isConnectionFailure(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }
}
