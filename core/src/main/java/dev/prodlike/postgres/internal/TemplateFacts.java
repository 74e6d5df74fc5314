package dev.prodlike.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reset needs to know of the template, read once from it.
 *
 * @param emptyTables  every heap table without rows in the template (its file has no page), never vacuumed or
 *                     analysed (so TRUNCATE leaves its pg_class row's statistics exactly as the template has them,
 *                     and it has no planner statistics), without an ON TRUNCATE trigger; and its TOAST table; each
 *                     mapped to the table to truncate
 * @param referencedBy table to the tables whose foreign keys point at it
 * @param names        table or sequence to its qualified, quoted name
 * @param sequences    sequence to its state in the template
 */
record TemplateFacts(
        Map<Long, Long> emptyTables,
        Map<Long, List<Long>> referencedBy,
        Map<Long, String> names,
        Map<Long, SequenceState> sequences) {

    static TemplateFacts read(Statement s) throws SQLException {
        Map<Long, Long> empty = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try (ResultSet rs = s.executeQuery("SELECT c.oid, c.reltoastrelid,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND c.relpersistence <> 't'"
                + " AND c.relam = (SELECT a.oid FROM pg_catalog.pg_am a WHERE a.amname = 'heap')"
                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
                + " AND pg_catalog.pg_relation_size(c.oid) = 0 AND c.reltuples < 0"
                + " AND (c.reltoastrelid = 0 OR pg_catalog.pg_relation_size(c.reltoastrelid) = 0)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = c.oid"
                + " AND (g.tgtype & 32) <> 0)")) {
            while (rs.next()) {
                empty.put(rs.getLong(1), rs.getLong(1));
                if (rs.getLong(2) != 0) {
                    empty.put(rs.getLong(2), rs.getLong(1));
                }
                names.put(rs.getLong(1), rs.getString(3));
            }
        }
        Map<Long, List<Long>> referencedBy = new HashMap<>();
        try (ResultSet rs =
                s.executeQuery("SELECT confrelid, conrelid FROM pg_catalog.pg_constraint" + " WHERE contype = 'f'")) {
            while (rs.next()) {
                referencedBy
                        .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                        .add(rs.getLong(2));
            }
        }
        StringBuilder sequencesSql = new StringBuilder();
        try (ResultSet rs = s.executeQuery("SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.'"
                + " || pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S'")) {
            while (rs.next()) {
                names.put(rs.getLong(1), rs.getString(2));
                sequencesSql
                        .append(sequencesSql.length() == 0 ? "" : " UNION ALL ")
                        .append("SELECT ")
                        .append(rs.getLong(1))
                        .append("::pg_catalog.int8, last_value, is_called FROM ")
                        .append(rs.getString(2));
            }
        }
        Map<Long, SequenceState> sequences = new HashMap<>();
        if (sequencesSql.length() > 0) {
            try (ResultSet rs = s.executeQuery(sequencesSql.toString())) {
                while (rs.next()) {
                    sequences.put(rs.getLong(1), new SequenceState(rs.getLong(2), rs.getBoolean(3)));
                }
            }
        }
        return new TemplateFacts(Map.copyOf(empty), Map.copyOf(referencedBy), Map.copyOf(names), Map.copyOf(sequences));
    }
}
