package dev.prodlike.rls.internal;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.IsolationReport;
import dev.prodlike.rls.LeakClass;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;

/**
 * Reads the catalogs as the owner, then runs the probes as the app role while the static checks run on the calling
 * thread, and restores sequences afterwards.
 */
public final class Auditor {

    private Auditor() {}

    /**
     * @param db      the database
     * @param column  the tenant column
     * @param only    tenant tables to audit (bare or schema-qualified names); empty for all
     * @param dynamic whether to run the probes
     * @return the report
     */
    public static IsolationReport run(TenantDatabase db, String column, Set<String> only, boolean dynamic) {
        return audit(db, column, only, dynamic, Tuning.DEFAULTS).report();
    }

    /**
     * How the probes are spread, a parameter so that tests can choose it without touching shared state.
     *
     * @param twoConnectionsFrom tenant tables from which the table probes run on two connections (fewer: one
     *                           connection is quicker)
     */
    record Tuning(int twoConnectionsFrom) {
        static final Tuning DEFAULTS = new Tuning(20);
    }

    /** An audit's report, and what its probes cost (null when none ran). */
    record Audit(IsolationReport report, Probes.Stats stats) {}

    static Audit audit(TenantDatabase db, String column, Set<String> only, boolean dynamic, Tuning tuning) {
        long t0 = System.nanoTime();
        String setting = db.tenantSetting();
        if (setting == null || setting.isBlank()) {
            throw new IllegalStateException("The RLS audit needs the tenant setting your policies read: add "
                    + "postgres.tenant-setting=app.current_tenant to prodlike.properties.");
        }
        // the app-role connection of the probes opens while the catalogs are read
        FutureTask<Connection> opening =
                dynamic ? Tasks.background("prodlike-rls-connect", () -> AppConnections.open(db)) : null;
        FutureTask<Connection> app = opening;
        boolean appUsed = false;
        FutureTask<Connection> second = null;
        try (Connection owner = db.ownerDataSource().getConnection()) {
            Catalog cat = CatalogLoader.load(owner, db.appRole(), column, setting, only, dynamic);
            String warmUp = dynamic ? warmUp(cat) : null;
            if (warmUp != null) { // while the owner reads on, the app-role session loads what its probes will touch
                app = Tasks.background("prodlike-rls-warm-up", () -> warmed(Tasks.await(opening), warmUp));
            }
            if (dynamic && cat.tables.size() >= tuning.twoConnectionsFrom()) { // connects while the owner reads on
                second = Tasks.background("prodlike-rls-connect-2", () -> {
                    // the first connection is the one the probes need: it opens first; its warm-up runs beside this
                    Tasks.awaitQuietly(opening);
                    Connection c = AppConnections.open(db);
                    return warmUp == null ? c : warmed(c, warmUp);
                });
            }
            StaticAudit statics = new StaticAudit(cat, column, setting);
            SharedRows.Index shared = SharedRows.of(cat, statics.expressions());
            boolean withProbes = dynamic && !cat.tables.isEmpty();
            OwnerReads reads = OwnerReads.of(owner, cat, shared, withProbes);
            Map<Long, Map<String, Long>> counts = reads.counts;
            Map<String, Long> tenants = new TreeMap<>();
            counts.values().forEach(m -> m.forEach((k, v) -> tenants.merge(k, v, Long::sum)));
            List<Observed> observed = new ArrayList<>();
            List<Finding> findings = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            if (tenants.size() < 2 && !cat.tables.isEmpty()) {
                findings.add(tooFewTenants(cat, column, tenants));
            }
            List<Cause> causes;
            Probes.Stats stats = null;
            if (withProbes) {
                ProbeContext ctx = new ProbeContext(
                        cat,
                        shared,
                        column,
                        setting,
                        new ProbeContext.OwnerData(
                                counts,
                                reads.shared,
                                reads.templates,
                                viewTemplates(owner, cat),
                                reads.helperTemplates),
                        new ArrayList<>(tenants.keySet()));
                appUsed = true;
                try (Connection c = Tasks.await(app)) {
                    Probes probes = new Probes(ctx);
                    // the probes wait on the server most of the time: this thread runs the static checks meanwhile,
                    // once the probes are planned (planning them is on the audit's critical path, the checks not)
                    FutureTask<Connection> other = second;
                    CountDownLatch sent = new CountDownLatch(1);
                    CountDownLatch ran = new CountDownLatch(1); // the last probe ran: the judging follows
                    FutureTask<Probes.Result> probing = Tasks.background("prodlike-rls-probes", () -> {
                        try {
                            return probes.run(c, other, sent::countDown, ran::countDown);
                        } finally {
                            sent.countDown();
                            ran.countDown();
                        }
                    });
                    NonInterference.Result verdicts;
                    try {
                        try {
                            Tasks.await(sent);
                            causes = statics.run();
                        } catch (RuntimeException | SQLException e) {
                            Tasks.awaitQuietly(probing);
                            throw e;
                        }
                        Tasks.await(ran);
                        // on the owner's connection, once no app-role probe holds or waits for a row lock
                        NonInterference ni = new NonInterference(ctx);
                        verdicts = ni.run(owner, ni.targets());
                    } finally {
                        try { // while the probes are judged
                            restore(owner, reads.sequences);
                        } catch (RuntimeException | SQLException e) {
                            Tasks.awaitQuietly(probing);
                            throw e;
                        }
                    }
                    Probes.Result result = Tasks.await(probing);
                    stats = result.stats();
                    observed.addAll(result.observed());
                    observed.addAll(verdicts.observed());
                    causes = withoutVerified(causes, verdicts.verified(), observed, notes);
                    notes.addAll(result.notes());
                    notes.addAll(verdicts.notes());
                    if (stats.oneConnection() != null) {
                        notes.add("the table probes ran on one app-role connection: " + stats.oneConnection());
                    }
                }
            } else {
                causes = statics.run();
            }
            findings.addAll(0, new Causes(cat, column, setting).merge(causes, observed));
            return new Audit(
                    new IsolationReport(
                            db.databaseName(),
                            db.appRole(),
                            column,
                            cat.tables.values().stream()
                                    .map(Catalog.Table::qualified)
                                    .toList(),
                            tenants,
                            findings,
                            Duration.ofNanos(System.nanoTime() - t0),
                            notes),
                    stats);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "The RLS audit of " + db.databaseName() + " failed: " + e.getMessage() + " (SQLSTATE "
                            + e.getSQLState() + ")",
                    e);
        } finally {
            if (app != null && !appUsed) { // not needed after all (or the audit failed before the probes)
                close(Tasks.awaitQuietly(app));
            }
            if (second != null) {
                close(Tasks.awaitQuietly(second));
            }
        }
    }

    /**
     * A view or function that runs with its owner's rights is a cause only while nothing shows it filters by the
     * tenant itself: one the non-interference probe verified, with no other probe's evidence on it, is a note.
     */
    private static List<Cause> withoutVerified(
            List<Cause> causes, Set<String> verified, List<Observed> observed, List<String> notes) {
        List<Cause> out = new ArrayList<>();
        for (Cause c : causes) {
            Finding f = c.finding();
            boolean definer =
                    f.leakClass() == LeakClass.DEFINER_VIEW || f.leakClass() == LeakClass.SECURITY_DEFINER_FUNCTION;
            boolean evidence = observed.stream().anyMatch(o -> c.relations().contains(o.relation()));
            if (definer && verified.contains(f.relation()) && !evidence) {
                notes.add(f.relation() + " runs with its owner's rights (" + f.leakClass() + " in the catalogs), but"
                        + " filters by the tenant itself: the non-interference probe verified it and no other probe"
                        + " through it reached another tenant's rows, so it is not reported");
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * @return statements that plan a read of every tenant table the app role may select from, without reading a row,
     *     or null for none: a new server process builds each table's cache entries (columns, indexes, policies) on
     *     first use, about 0.2 ms a table, and this has the app-role sessions do that while the owner still reads
     */
    private static String warmUp(Catalog cat) {
        StringBuilder sql = new StringBuilder();
        for (Catalog.Table t : cat.tables.values()) {
            if (t.select() && t.reachable()) {
                sql.append("SELECT 1 FROM ").append(t.qualified()).append(" LIMIT 0;");
            }
        }
        return sql.length() == 0 ? null : sql.toString();
    }

    /** @return {@code c}, after running {@code warmUp} on it (a failure only means no warm-up) */
    private static Connection warmed(Connection c, String warmUp) {
        try (Statement s = c.createStatement()) {
            s.execute(warmUp);
        } catch (SQLException e) {
            // e.g. a table locked meanwhile: the probes find out what matters themselves
        }
        return c;
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // its transaction, if any, ends with it
            }
        }
    }

    private static Finding tooFewTenants(Catalog cat, String column, Map<String, Long> tenants) {
        Catalog.Table t = cat.tables.values().iterator().next();
        List<String> cols = new ArrayList<>();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (Catalog.Column c : t.insertColumns()) {
            cols.add(Sql.ident(c.name()));
            a.add("<" + c.name() + ">");
            b.add("<" + c.name() + ">");
        }
        cols.add(Sql.ident(column));
        a.add("'tenant-a'");
        b.add("'tenant-b'");
        return new Finding(
                t.qualified(),
                LeakClass.TOO_FEW_TENANTS,
                (tenants.isEmpty()
                                ? "no tenant has rows"
                                : "only tenant " + tenants.keySet().iterator().next() + " has rows")
                        + " in " + cat.tables.size() + " tenant table(s) with column " + column
                        + ", so no tenant can be caught reading, writing or moving another's rows",
                "-- seed at least two tenants as the owner (db.ownerDataSource()) before the audit, e.g.\n"
                        + "INSERT INTO " + t.qualified() + " (" + String.join(", ", cols) + ") VALUES ("
                        + String.join(", ", a) + "), (" + String.join(", ", b) + ");",
                List.of(t.qualified()));
    }

    /**
     * What the owner reads before the probes, in one round trip: rows per tenant of every tenant table (rows without
     * a tenant, shared rows, counted apart), and for the probes one row of each insertable table's insert columns
     * and the state of every user sequence.
     */
    private static final class OwnerReads {

        final Map<Long, Map<String, Long>> counts = new LinkedHashMap<>();
        final Map<Long, Long> shared = new LinkedHashMap<>();
        final Map<Long, List<String>> templates = new LinkedHashMap<>();
        /** For helper tables that policies read and the app role can write: one row, every column as text. */
        final Map<Long, List<String>> helperTemplates = new LinkedHashMap<>();

        final List<SequenceState> sequences = new ArrayList<>();

        static OwnerReads of(Connection owner, Catalog cat, SharedRows.Index sharedRows, boolean probing)
                throws SQLException {
            OwnerReads out = new OwnerReads();
            List<Catalog.Table> tables = new ArrayList<>(cat.tables.values());
            List<Catalog.Table> templated = new ArrayList<>();
            List<Catalog.PolicyInput> helpers = new ArrayList<>();
            List<String> uncalled = new ArrayList<>(); // sequences whose state the catalogs did not give
            if (probing) {
                Set<Long> seen = new HashSet<>();
                for (Catalog.PolicyInput in : cat.policyInputs) {
                    if (in.insert() && !in.columns().isEmpty() && seen.add(in.helperOid())) {
                        helpers.add(in);
                    }
                }
            }
            StringBuilder sql = new StringBuilder();
            String col = Sql.ident(cat.tenantColumn());
            for (Catalog.Table t : tables) {
                sql.append("SELECT ")
                        .append(col)
                        .append("::text, count(*) FROM ")
                        .append(t.qualified())
                        .append(" GROUP BY 1 ORDER BY 1;");
            }
            if (probing) {
                for (Catalog.Table t : tables) {
                    if (!t.insert()) {
                        continue;
                    }
                    if (t.insertColumns().isEmpty()) {
                        out.templates.put(t.oid(), List.of());
                        continue;
                    }
                    templated.add(t);
                    sql.append("SELECT ");
                    for (int i = 0; i < t.insertColumns().size(); i++) {
                        sql.append(i == 0 ? "" : ", ")
                                .append(Sql.ident(t.insertColumns().get(i).name()))
                                .append("::text");
                    }
                    sql.append(" FROM ").append(t.qualified()).append(" LIMIT 1;");
                }
                for (Catalog.PolicyInput in : helpers) {
                    sql.append("SELECT ");
                    for (int i = 0; i < in.columns().size(); i++) {
                        sql.append(i == 0 ? "" : ", ")
                                .append(Sql.ident(in.columns().get(i).name()))
                                .append("::text");
                    }
                    sql.append(" FROM ").append(in.helper()).append(" LIMIT 1;");
                }
                for (Catalog.Sequence seq : cat.sequences) {
                    if (seq.calledAt() != null) {
                        out.sequences.add(new SequenceState(seq.name(), seq.calledAt(), true));
                    } else {
                        uncalled.add(seq.name());
                        sql.append("SELECT last_value::text, is_called FROM ")
                                .append(seq.name())
                                .append(';');
                    }
                }
            }
            if (sql.length() == 0) {
                return out;
            }
            try (Statement s = owner.createStatement()) {
                boolean rs = s.execute(sql.toString());
                for (Catalog.Table t : tables) {
                    Map<String, Long> m = new TreeMap<>();
                    if (rs) {
                        try (ResultSet r = s.getResultSet()) {
                            while (r.next()) {
                                if (sharedRows.of(t).isShared(r.getString(1))) {
                                    out.shared.merge(t.oid(), r.getLong(2), Long::sum);
                                } else {
                                    m.put(r.getString(1), r.getLong(2));
                                }
                            }
                        }
                    }
                    out.counts.put(t.oid(), m);
                    rs = s.getMoreResults();
                }
                for (Catalog.Table t : templated) {
                    try (ResultSet r = s.getResultSet()) {
                        if (rs && r.next()) {
                            List<String> row = new ArrayList<>();
                            for (int i = 1; i <= t.insertColumns().size(); i++) {
                                row.add(r.getString(i));
                            }
                            out.templates.put(t.oid(), row);
                        }
                    }
                    rs = s.getMoreResults();
                }
                for (Catalog.PolicyInput in : helpers) {
                    try (ResultSet r = s.getResultSet()) {
                        if (rs && r.next()) {
                            List<String> row = new ArrayList<>();
                            for (int i = 1; i <= in.columns().size(); i++) {
                                row.add(r.getString(i));
                            }
                            out.helperTemplates.put(in.helperOid(), row);
                        }
                    }
                    rs = s.getMoreResults();
                }
                for (String name : uncalled) {
                    try (ResultSet r = s.getResultSet()) {
                        r.next();
                        out.sequences.add(new SequenceState(name, r.getString(1), r.getBoolean(2)));
                    }
                    s.getMoreResults();
                }
            }
            return out;
        }
    }

    /** A user sequence's state before the probes; the last value as the server prints it, to be written back. */
    private record SequenceState(String name, String lastValue, boolean called) {}

    /** @return for views the app role can insert into: one row of their insertable columns as the owner sees it */
    private static Map<Long, List<String>> viewTemplates(Connection owner, Catalog cat) throws SQLException {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (Catalog.View v : cat.views) {
            if (!v.appInsert() || v.kind() != 'v' || v.insertColumns().isEmpty()) {
                continue;
            }
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < v.insertColumns().size(); i++) {
                sql.append(i == 0 ? "" : ", ")
                        .append(Sql.ident(v.insertColumns().get(i).name()))
                        .append("::text");
            }
            sql.append(" FROM ").append(v.qualified()).append(" LIMIT 1");
            try (Statement s = owner.createStatement();
                    ResultSet rs = s.executeQuery(sql.toString())) {
                if (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= v.insertColumns().size(); i++) {
                        row.add(rs.getString(i));
                    }
                    out.put(v.oid(), row);
                }
            } catch (SQLException e) {
                // a view the owner cannot read (e.g. owned by a role bound by RLS): insert the tenant column alone
            }
        }
        return out;
    }

    /** Sets every sequence the probes moved back to its state before them, in one statement. */
    private static void restore(Connection owner, List<SequenceState> before) throws SQLException {
        if (before.isEmpty()) {
            return;
        }
        // one statement over a list of values: a UNION ALL of a setval per sequence cost the planner 12 ms for 100
        StringBuilder values = new StringBuilder();
        for (SequenceState st : before) {
            values.append(values.length() == 0 ? "" : ", ")
                    .append('(')
                    .append(SqlValues.literal(st.name()))
                    .append(", ")
                    .append(SqlValues.literal(st.lastValue()))
                    .append("::bigint, ")
                    .append(st.called())
                    .append(')');
        }
        try (Statement s = owner.createStatement()) {
            // pg_sequence_last_value is null while a sequence was never called: equal to the state read before
            // exactly when the probes did not call it
            s.execute("SELECT pg_catalog.setval(v.s::regclass, v.val, v.called) FROM (VALUES " + values
                    + ") v(s, val, called) WHERE pg_catalog.pg_sequence_last_value(v.s::regclass)"
                    + " IS DISTINCT FROM CASE WHEN v.called THEN v.val END");
        }
    }
}
