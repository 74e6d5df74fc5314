package dev.prodlike.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * What a database's cumulative statistics count now, read in one query from inside it.
 *
 * @param writes        rows written per relation (only those with any)
 * @param sequenceReads block reads per sequence (only those with any)
 * @param maintenance   the database's vacuum and analyse count
 * @param database      the rows written as the database's own statistics count them (-1 when it has none)
 */
record RelationCounts(Map<Long, Long> writes, Map<Long, Long> sequenceReads, long maintenance, long database) {

    /**
     * The statistics functions behind pg_stat_all_tables, pg_statio_all_sequences and pg_stat_database, only those
     * needed (the views compute ~25 per relation, and a new backend first has to load their definitions).
     */
    private static final String SQL = "SELECT t.oid, t.s, t.w, t.m FROM (SELECT c.oid, c.relkind = 'S' AS s,"
            + " CASE WHEN c.relkind = 'S' THEN pg_catalog.pg_stat_get_blocks_fetched(c.oid)"
            + " ELSE pg_catalog.pg_stat_get_tuples_inserted(c.oid) + pg_catalog.pg_stat_get_tuples_updated(c.oid)"
            + " + pg_catalog.pg_stat_get_tuples_deleted(c.oid) END AS w,"
            + " CASE WHEN c.relkind = 'S' THEN 0"
            + " ELSE pg_catalog.pg_stat_get_vacuum_count(c.oid) + pg_catalog.pg_stat_get_autovacuum_count(c.oid)"
            + " + pg_catalog.pg_stat_get_analyze_count(c.oid) + pg_catalog.pg_stat_get_autoanalyze_count(c.oid)"
            + " END AS m FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 't', 'm', 'p', 'S')"
            + " AND NOT c.relisshared) t WHERE t.w > 0 OR t.m > 0"
            + " UNION ALL SELECT 0, false, pg_catalog.pg_stat_get_db_tuples_inserted(d.oid)"
            + " + pg_catalog.pg_stat_get_db_tuples_updated(d.oid) + pg_catalog.pg_stat_get_db_tuples_deleted(d.oid), 0"
            + " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()";

    /**
     * The same counts of this backend's own current transaction and of its earlier ones not yet flushed to the
     * shared statistics (the pg_stat_get_xact_* functions), for every relation with any; no database row. Columns:
     * relation, whether it is a sequence, count.
     */
    static final String OWN_SQL = "SELECT t.oid, t.s, t.w FROM (SELECT c.oid, c.relkind = 'S' AS s,"
            + " CASE WHEN c.relkind = 'S' THEN pg_catalog.pg_stat_get_xact_blocks_fetched(c.oid)"
            + " ELSE pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid)"
            + " + pg_catalog.pg_stat_get_xact_tuples_updated(c.oid)"
            + " + pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) END AS w"
            + " FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 't', 'm', 'p', 'S') AND NOT c.relisshared) t"
            + " WHERE t.w > 0";

    /**
     * @param c the check's session in the database, kept from one check to the next: a prepared statement, so that
     *          from PgJDBC's fifth use on, the server plans the query once per session instead of on every check
     *          (0.3 ms of a 2-CPU server per check, {@code pg_stat_statements}; docs/benchmarks.md)
     */
    static RelationCounts read(Connection c) throws SQLException {
        Map<Long, Long> writes = new HashMap<>();
        Map<Long, Long> sequenceReads = new HashMap<>();
        long maintenance = 0;
        long database = -1;
        try (PreparedStatement ps = c.prepareStatement(SQL);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (rs.getLong(1) == 0) {
                    database = rs.getLong(3);
                } else if (rs.getLong(3) > 0) {
                    (rs.getBoolean(2) ? sequenceReads : writes).put(rs.getLong(1), rs.getLong(3));
                }
                maintenance += rs.getLong(4);
            }
        }
        return new RelationCounts(Map.copyOf(writes), Map.copyOf(sequenceReads), maintenance, database);
    }
}
