package dev.prodlike.postgres.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One returned database as the admin connection sees it, in one query.
 *
 * @param connections backends connected to it now
 * @param writes      rows inserted, updated and deleted as its statistics count them; -1 when it has no statistics
 * @param statsReset  when its statistics were reset, or null when never
 * @param xmin        the row version of its pg_database row
 * @param settings    per-database settings (ALTER DATABASE ... SET)
 * @param comments    comments on it
 * @param labels      security labels on it
 * @param prepared    prepared transactions in it
 */
record DatabaseState(
        long connections,
        long writes,
        String statsReset,
        String xmin,
        long settings,
        long comments,
        long labels,
        long prepared) {

    /**
     * The {@code application_name} of the owner session the reuse check keeps in each database it may hand on, so
     * that a check and reset find a backend whose caches are warm instead of starting one (on a 2-CPU machine that
     * halved a reset, 41-49 ms to 15-19 ms). It stays idle while the next test uses the database, outside any
     * transaction; the checks' and {@code terminateConnections()}'s connection counts leave it out.
     */
    static final String CHECK_SESSION = "prodlike-reuse-check";

    private static final String SQL = "SELECT (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid"
            + "     AND a.application_name IS DISTINCT FROM '" + CHECK_SESSION + "' AND a.pid <> ?),"
            + " coalesce(s.tup_inserted + s.tup_updated + s.tup_deleted, -1),"
            + " s.stats_reset::text,"
            + " d.xmin::text,"
            + " (SELECT count(*) FROM pg_db_role_setting r WHERE r.setdatabase = d.oid),"
            + " (SELECT count(*) FROM pg_shdescription c WHERE c.objoid = d.oid"
            + "     AND c.classoid = 'pg_database'::regclass),"
            + " (SELECT count(*) FROM pg_shseclabel l WHERE l.objoid = d.oid"
            + "     AND l.classoid = 'pg_database'::regclass),"
            + " (SELECT count(*) FROM pg_prepared_xacts x WHERE x.database = d.datname)"
            + " FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid WHERE d.datname = ?";

    /**
     * @param parked the backend of an application session parked in the database (see
     *               {@link TestDatabase#park}), left out of the connections; 0 for none
     * @return the database's state, or null when it does not exist
     */
    static DatabaseState read(AdminConnections admins, String database, int parked) throws SQLException {
        return admins.borrow(c -> {
            try (PreparedStatement ps = c.prepareStatement(SQL)) {
                ps.setInt(1, parked);
                ps.setString(2, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    return new DatabaseState(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            rs.getLong(8));
                }
            }
        });
    }

    /**
     * @return whether something changed that no reset undoes: statistics reset or missing, a per-database setting,
     *     comment or security label, a prepared transaction
     */
    boolean changedBeyondRows() {
        return statsReset != null || settings != 0 || comments != 0 || labels != 0 || prepared != 0 || writes == -1;
    }
}
