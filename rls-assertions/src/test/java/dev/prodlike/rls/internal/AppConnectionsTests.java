package dev.prodlike.rls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The audit's app-role connections have no statement or lock timeout and no parallel workers from their first
 * statement on, whatever the role's settings in the database, and {@code DISCARD ALL} does not bring the role's back. (Setting them with a
 * statement after connecting left a window: with the role's {@code statement_timeout} at 1 ms that very statement
 * was cancelled on a busy CI machine, and the audit failed.)
 */
@ProductionLikeDatabase
class AppConnectionsTests {

    @Test
    void timeoutsAreTheAuditsFromTheFirstStatementAndAfterDiscardAll(TenantDatabase db) throws SQLException {
        String scope = "ALTER ROLE " + db.appRole() + " IN DATABASE " + db.databaseName();
        execute(db.ownerDataSource(), scope + " SET statement_timeout = '7min'");
        execute(db.ownerDataSource(), scope + " SET lock_timeout = '3min'");
        try {
            assertThat(timeouts(db.appDataSource()))
                    .as("the role's, as the app sees them (and the server's parallel workers)")
                    .isEqualTo("7min 3min 2");

            DataSource audit = AppConnections.withOwnTimeouts(db.appDataSource());
            assertThat(audit).isNotSameAs(db.appDataSource());
            try (Connection c = audit.getConnection();
                    Statement s = c.createStatement()) {
                assertThat(timeouts(s))
                        .as("before any statement of the audit's")
                        .isEqualTo("0 0 0");
                s.execute("DISCARD ALL");
                assertThat(timeouts(s)).as("after DISCARD ALL").isEqualTo("0 0 0");
                assertThat(user(s)).isEqualTo(db.appRole());
            }
            assertThat(timeouts(db.appDataSource()))
                    .as("the test's own data source is unchanged")
                    .isEqualTo("7min 3min 2");
        } finally {
            execute(db.ownerDataSource(), scope + " RESET ALL");
        }
    }

    @Test
    void theCopyKeepsTheCredentialsAndDriverPropertiesOfTheAppsDataSource(TenantDatabase db) throws Exception {
        PGSimpleDataSource app = db.appDataSource().unwrap(PGSimpleDataSource.class);
        PGSimpleDataSource own = new PGSimpleDataSource();
        own.setURL(db.jdbcUrl());
        own.setUser(app.getUser());
        own.setPassword("s3cret&x=y");
        own.setApplicationName("orders-service");
        own.setOptions("-c work_mem=5MB");
        own.setConnectTimeout(7);

        PGSimpleDataSource copy = AppConnections.withOwnTimeouts(own).unwrap(PGSimpleDataSource.class);

        assertThat(copy).isNotSameAs(own);
        assertThat(copy.getUser()).isEqualTo(app.getUser());
        assertThat(copy.getPassword()).isEqualTo("s3cret&x=y");
        assertThat(copy.getApplicationName()).isEqualTo("orders-service");
        assertThat(copy.getConnectTimeout()).isEqualTo(7);
        assertThat(copy.getURL())
                .isEqualTo(own.getURL()
                        .replace(
                                "options=-c+work_mem%3D5MB",
                                "options="
                                        + java.net.URLEncoder.encode(
                                                "-c work_mem=5MB " + AppConnections.OPTIONS,
                                                java.nio.charset.StandardCharsets.UTF_8)));
        own.setPassword(app.getPassword());
        try (Connection c = AppConnections.withOwnTimeouts(own).getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_user, current_setting('application_name'),"
                        + " current_setting('work_mem'), current_setting('statement_timeout')")) {
            rs.next();
            assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .containsExactly(db.appRole(), "orders-service", "5MB", "0");
        }
    }

    private static String timeouts(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            return timeouts(s);
        }
    }

    private static String timeouts(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery(
                "SELECT current_setting('statement_timeout') || ' ' || current_setting('lock_timeout') || ' '"
                        + " || current_setting('max_parallel_workers_per_gather')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String user(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
