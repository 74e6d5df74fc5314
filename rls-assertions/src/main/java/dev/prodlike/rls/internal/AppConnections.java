package dev.prodlike.rls.internal;

import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ds.common.BaseDataSource;

/**
 * App-role connections for the probes, with the audit's own timeouts from their first statement on.
 *
 * <p>A {@code statement_timeout} set on the app role (or its database) applies from the moment a session starts, so
 * even the {@code SET} that lifts it can be cancelled on a busy machine, and {@code DISCARD ALL} brings it back. When
 * the test's data source is PgJDBC's, the audit opens its connections from a copy of it whose startup options set
 * both timeouts: a client's startup options outrank the role's and database's settings and are what {@code RESET}
 * returns to. Any other data source is used as it is, with {@link #ownTimeouts} after connecting.
 */
final class AppConnections {

    /**
     * Startup options: no statement or lock timeout (the batches that run user code set their own budget), and no
     * parallel workers. A query over many small tables (the checks outside a transaction read 100 tables in one
     * {@code UNION ALL}) gets a parallel plan, and each run then starts worker processes that load every table's
     * cache entries again: 84 ms against 9 ms without workers, measured on 100 tables (PostgreSQL 15). The results
     * are the same either way.
     */
    static final String OPTIONS = "-c statement_timeout=0 -c lock_timeout=0 -c max_parallel_workers_per_gather=0";

    private AppConnections() {}

    /**
     * Sets the timeouts the probes run with on an app-role connection: none for statements (a role's or database's
     * {@code statement_timeout} would cancel a whole batch) and none for locks; the batches that run user code set
     * their own budget. No parallel workers either (see {@link #OPTIONS}).
     */
    static void ownTimeouts(Statement s) throws SQLException {
        s.execute("SET statement_timeout = 0; SET lock_timeout = 0; SET max_parallel_workers_per_gather = 0");
    }
    /** @return an app-role connection that runs the probes with their own timeouts, not the role's */
    static Connection open(TenantDatabase db) throws SQLException {
        Connection c = withOwnTimeouts(db.appDataSource()).getConnection();
        try (Statement s = c.createStatement()) {
            ownTimeouts(s); // also where the startup options could not be set
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return c;
    }

    /**
     * @return a copy of {@code app} that sets the probes' timeouts at connection start, or {@code app} itself when it
     *     is not PgJDBC's (the caller then sets them after connecting)
     */
    static DataSource withOwnTimeouts(DataSource app) {
        try {
            if (!app.isWrapperFor(BaseDataSource.class)) {
                return app;
            }
            BaseDataSource from = app.unwrap(BaseDataSource.class);
            PGSimpleDataSource copy = new PGSimpleDataSource();
            // the URL carries every driver property but the credentials; initializeFrom, which copies by Java
            // serialization, cost the first audit of a JVM 18-28 ms of a contended CPU for the classes it loads
            copy.setURL(from.getURL());
            copy.setUser(from.getUser());
            copy.setPassword(from.getPassword());
            String options = from.getOptions();
            copy.setOptions(options == null || options.isBlank() ? OPTIONS : options + " " + OPTIONS);
            return copy;
        } catch (SQLException | RuntimeException e) {
            return app; // a copy could not be made: the timeouts are set after connecting
        }
    }
}
