package dev.prodlike.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes a returned database fresh again when that is provably possible, or says why not.
 *
 * <p>It hands a database on as it is when its statistics show that nothing was written, vacuumed or analysed and no
 * sequence was read or changed since its baseline. Otherwise every row written since the baseline (per-table
 * statistics, which the test's backends flushed when they exited) must have gone into a heap table that is empty in
 * the template and has no ON TRUNCATE trigger, and the written rows must add up to what the database's statistics
 * count (so no shared catalog or other relation took writes). Then, in one transaction sent as one round trip, those
 * tables and the template-empty tables whose foreign keys point at them are truncated and every sequence whose block
 * was read since the baseline (nextval and setval read it; a sequence nobody read is as the template has it) is set
 * back to the template's state; the statistics after that become the new baseline. A schema change, a write to a
 * seeded table, a vacuum or anything else answers {@link Verdict#CHANGED}, and the database is dropped.
 *
 * <p>Truncating a few small tables costs the server far less than the drop and the copy it replaces (see
 * docs/benchmarks.md), and it needs no checkpoint.
 */
final class DatabaseReset {

    private DatabaseReset() {}

    /**
     * What to do with a returned database whose statistics were read.
     *
     * @param decided   the verdict when no statement is needed (UNCHANGED or CHANGED), else null
     * @param truncate  tables to truncate, in oid order
     * @param sequences sequences to set back to the template's state when they differ from it
     */
    record Plan(Verdict decided, Set<Long> truncate, List<Long> sequences) {

        static Plan decided(Verdict verdict) {
            return new Plan(verdict, Set.of(), List.of());
        }
    }

    /** A reset that ran: the database's new baseline and whether it did anything. */
    record Outcome(Verdict verdict, Baseline baseline) {}

    /**
     * Decides, without a server, whether and how a database can be made fresh again.
     *
     * @param now     its statistics now
     * @param base    its statistics when it was last fresh
     * @param facts   the template's facts, or null when they could not be read (then nothing is reset)
     * @param written rows written since the baseline, as the database's own statistics count them
     * @return the plan
     */
    static Plan plan(RelationCounts now, Baseline base, TemplateFacts facts, long written) {
        if (now.maintenance() != base.maintenance()) {
            return Plan.decided(Verdict.CHANGED);
        }
        List<Long> touched = new ArrayList<>();
        for (Map.Entry<Long, Long> e : now.sequenceReads().entrySet()) {
            long delta = e.getValue() - base.sequenceReads().getOrDefault(e.getKey(), 0L);
            if (delta < 0) {
                return Plan.decided(Verdict.CHANGED);
            }
            if (delta > 0) {
                touched.add(e.getKey());
            }
        }
        if (written == 0 && touched.isEmpty()) {
            return Plan.decided(Verdict.UNCHANGED);
        }
        if (facts == null) {
            return Plan.decided(
                    Verdict.CHANGED); // nothing to reset with (nor to compare a sequence that was read with)
        }
        Set<Long> truncate = new TreeSet<>();
        long sum = 0;
        for (Map.Entry<Long, Long> e : now.writes().entrySet()) {
            long delta = e.getValue() - base.tables().getOrDefault(e.getKey(), 0L);
            if (delta < 0) {
                return Plan.decided(Verdict.CHANGED);
            }
            if (delta == 0) {
                continue;
            }
            Long table = facts.emptyTables().get(e.getKey());
            if (table == null) {
                return Plan.decided(Verdict.CHANGED); // a catalog, a seeded table, a table created by the test
            }
            truncate.add(table);
            sum += delta;
        }
        if (sum != written) {
            return Plan.decided(Verdict.CHANGED);
        }
        // TRUNCATE refuses a table that another table's foreign key points at, unless that one is truncated too
        ArrayDeque<Long> todo = new ArrayDeque<>(truncate);
        while (!todo.isEmpty()) {
            for (Long referencing : facts.referencedBy().getOrDefault(todo.pop(), List.of())) {
                if (!facts.emptyTables().containsKey(referencing)) {
                    return Plan.decided(Verdict.CHANGED); // a seeded table refers to it
                }
                if (truncate.add(referencing)) {
                    todo.add(referencing);
                }
            }
        }
        for (Long sequence : touched) {
            if (!facts.sequences().containsKey(sequence)) {
                return Plan.decided(Verdict.CHANGED); // a sequence the test created (its DDL was counted too)
            }
        }
        return new Plan(null, truncate, touched);
    }

    /**
     * The plan's one round trip: the truncation and the sequences set back, then this backend's own counts of what
     * the reset itself added to the statistics (the catalog rows it updates, the sequence blocks it reads), read
     * inside its transaction. The backend is kept for the next check ({@link DatabaseState#CHECK_SESSION}), so the
     * transaction asks it to flush exactly these as it goes idle, before the reply to COMMIT: the new baseline needs
     * no second read of the shared statistics.
     */
    static String sql(Plan plan, TemplateFacts facts) {
        StringBuilder sql = new StringBuilder("BEGIN");
        String separator = "; TRUNCATE ONLY ";
        for (Long table : plan.truncate()) {
            sql.append(separator).append(facts.names().get(table));
            separator = ", ";
        }
        // a sequence that was read is set back only when its state differs from the template's (one that was only
        // read keeps the template's page as it is)
        separator = "; ";
        for (Long sequence : plan.sequences()) {
            SequenceState state = facts.sequences().get(sequence);
            sql.append(separator)
                    .append("SELECT pg_catalog.setval(")
                    .append(sequence)
                    .append("::pg_catalog.oid::pg_catalog.regclass, ")
                    .append(state.lastValue())
                    .append(", ")
                    .append(state.called())
                    .append(") FROM ")
                    .append(facts.names().get(sequence))
                    .append(" WHERE last_value <> ")
                    .append(state.lastValue())
                    .append(" OR is_called <> ")
                    .append(state.called());
            separator = " UNION ALL ";
        }
        return sql.append("; ")
                .append(RelationCounts.OWN_SQL)
                .append("; DO $flush$ BEGIN PERFORM pg_catalog.pg_stat_force_next_flush(); END $flush$; COMMIT")
                .toString();
    }

    /**
     * Runs a plan on a connection to the database.
     *
     * @param now     the statistics the plan was made from
     * @param base    the baseline the plan was made against
     * @param written rows written since the baseline
     * @return the verdict (CHANGED when the statements failed; the connection is closed next) and the new baseline
     */
    static Outcome run(Statement s, Plan plan, TemplateFacts facts, RelationCounts now, Baseline base, long written) {
        int sequencesSet = 0;
        Map<Long, Long> ownWrites = new HashMap<>();
        Map<Long, Long> ownSequenceReads = new HashMap<>();
        long ownTotal = 0;
        try {
            boolean results = s.execute(sql(plan, facts));
            int resultSets = 0;
            while (results || s.getUpdateCount() != -1) {
                if (results) {
                    try (ResultSet rs = s.getResultSet()) {
                        boolean setvals = resultSets++ == 0 && !plan.sequences().isEmpty();
                        while (rs.next()) {
                            if (setvals) {
                                sequencesSet++;
                            } else if (rs.getBoolean(2)) {
                                ownSequenceReads.put(rs.getLong(1), rs.getLong(3));
                            } else {
                                ownWrites.put(rs.getLong(1), rs.getLong(3));
                                ownTotal += rs.getLong(3);
                            }
                        }
                    }
                }
                results = s.getMoreResults();
            }
        } catch (SQLException e) {
            return new Outcome(Verdict.CHANGED, base);
        }
        Map<Long, Long> writes = new HashMap<>(now.writes());
        ownWrites.forEach((relation, n) -> writes.merge(relation, n, Long::sum));
        Map<Long, Long> sequenceReads = new HashMap<>(now.sequenceReads());
        ownSequenceReads.forEach((sequence, n) -> sequenceReads.merge(sequence, n, Long::sum));
        Baseline next = new Baseline(
                now.database() + ownTotal, base.maintenance(), Map.copyOf(writes), Map.copyOf(sequenceReads));
        // nothing written, and the sequences that were read have the template's state: handed on as it was
        return new Outcome(written == 0 && sequencesSet == 0 ? Verdict.UNCHANGED : Verdict.RESET, next);
    }
}
