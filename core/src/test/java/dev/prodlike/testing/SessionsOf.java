package dev.prodlike.testing;

import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Counts a test database's sessions from the server's admin database ({@code postgres}). The counting session is
 * never one of the database's own: one opened in the database itself and closed just before a fault can still be
 * listed while its backend exits, and {@code terminateConnections()} then counts it.
 */
public final class SessionsOf {

    private SessionsOf() {}

    /** @return how many sessions of {@code role} the database has now */
    public static int count(TenantDatabase db, String role) throws SQLException {
        try (Connection admin = admin(db).getConnection()) {
            return count(admin, db, role);
        }
    }

    /**
     * Waits until the database has {@code expected} sessions of {@code role}, up to {@code timeout}.
     *
     * @return the last count
     */
    public static int await(TenantDatabase db, String role, int expected, Duration timeout)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection admin = admin(db).getConnection()) {
            int n = count(admin, db, role);
            while (n != expected && System.nanoTime() < deadline) {
                Thread.sleep(5);
                n = count(admin, db, role);
            }
            return n;
        }
    }

    private static int count(Connection admin, TenantDatabase db, String role) throws SQLException {
        try (PreparedStatement ps =
                admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND usename = ?")) {
            ps.setString(1, db.databaseName());
            ps.setString(2, role);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * @return the owner, with its password (a Docker server checks one), straight to the server (no network proxy)
     *     and in the admin database
     */
    public static PGSimpleDataSource admin(TenantDatabase db) throws SQLException {
        PGSimpleDataSource owner = db.ownerDataSource().unwrap(PGSimpleDataSource.class);
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(owner.getURL());
        admin.setUser(owner.getUser());
        admin.setPassword(owner.getPassword());
        admin.setDatabaseName("postgres");
        return admin;
    }
}
