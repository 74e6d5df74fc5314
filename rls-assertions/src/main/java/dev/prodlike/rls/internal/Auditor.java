package dev.prodlike.rls.internal;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.IsolationReport;
import dev.prodlike.rls.LeakClass;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
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

    private Auditor() {
    }

    /**
     * @param db      the database
     * @param column  the tenant column
     * @param only    tenant tables to audit (bare or schema-qualified names); empty for all
     * @param dynamic whether to run the probes
     * @return the report
     */
    public static IsolationReport run(TenantDatabase db, String column, Set<String> only, boolean dynamic) {
        long t0 = System.nanoTime();
        String setting = db.tenantSetting();
        if (setting == null || setting.isBlank()) {
            throw new IllegalStateException("The RLS audit needs the tenant setting your policies read: add "
                    + "postgres.tenant-setting=app.current_tenant to prodlike.properties.");
        }
        // the app-role connection of the probes opens while the catalogs are read
        FutureTask<Connection> app = dynamic ? Tasks.background("prodlike-rls-connect",
                () -> db.appDataSource().getConnection()) : null;
        boolean appUsed = false;
        FutureTask<Connection> second = null;
        try (Connection owner = db.ownerDataSource().getConnection()) {
            Catalog cat = Catalog.load(owner, db.appRole(), column, setting, only, dynamic);
            if (dynamic && cat.tables.size() >= Probes.parallelFrom) { // connects while the owner reads on
                FutureTask<Connection> first = app;
                second = Tasks.background("prodlike-rls-connect-2", () -> {
                    Tasks.awaitQuietly(first); // the first connection is the one the probes need: it goes first
                    return db.appDataSource().getConnection();
                });
            }
            StaticAudit statics = new StaticAudit(cat, column, setting);
            boolean withProbes = dynamic && !cat.tables.isEmpty();
            OwnerReads reads = OwnerReads.of(owner, cat, withProbes);
            Map<Long, Map<String, Long>> counts = reads.counts;
            Map<String, Long> tenants = new TreeMap<>();
            counts.values().forEach(m -> m.forEach((k, v) -> tenants.merge(k, v, Long::sum)));
            List<Observed> observed = new ArrayList<>();
            List<Finding> findings = new ArrayList<>();
            if (tenants.size() < 2 && !cat.tables.isEmpty()) {
                findings.add(tooFewTenants(cat, column, tenants));
            }
            List<Cause> causes;
            if (withProbes) {
                Probes.OwnerData data = new Probes.OwnerData(counts, reads.shared, reads.templates,
                        viewTemplates(owner, cat));
                Map<String, String> sequences = reads.sequences;
                appUsed = true;
                try (Connection c = Tasks.await(app)) {
                    Probes probes = new Probes(cat, column, setting, data, new ArrayList<>(tenants.keySet()));
                    // the probes wait on the server most of the time: this thread runs the static checks meanwhile,
                    // once the probes are planned (planning them is on the audit's critical path, the checks not)
                    FutureTask<Connection> other = second;
                    CountDownLatch sent = new CountDownLatch(1);
                    CountDownLatch ran = new CountDownLatch(1); // the last probe ran: the judging follows
                    FutureTask<List<Observed>> probing = Tasks.background("prodlike-rls-probes", () -> {
                        try {
                            return probes.run(c, other, sent::countDown, ran::countDown);
                        } finally {
                            sent.countDown();
                            ran.countDown();
                        }
                    });
                    try {
                        try {
                            Tasks.await(sent);
                            causes = statics.run();
                        } catch (RuntimeException | SQLException e) {
                            Tasks.awaitQuietly(probing);
                            throw e;
                        }
                        Tasks.await(ran);
                    } finally {
                        try { // while the probes are judged
                            restore(owner, sequences);
                        } catch (RuntimeException | SQLException e) {
                            Tasks.awaitQuietly(probing);
                            throw e;
                        }
                    }
                    observed.addAll(Tasks.await(probing));
                }
            } else {
                causes = statics.run();
            }
            findings.addAll(0, new Causes(cat, statics, column, setting).merge(causes, observed));
            return new IsolationReport(db.databaseName(), db.appRole(), column,
                    cat.tables.values().stream().map(Catalog.Table::qualified).toList(), tenants, findings,
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (SQLException e) {
            throw new IllegalStateException("The RLS audit of " + db.databaseName() + " failed: " + e.getMessage()
                    + " (SQLSTATE " + e.getSQLState() + ")", e);
        } finally {
            if (app != null && !appUsed) { // not needed after all (or the audit failed before the probes)
                close(Tasks.awaitQuietly(app));
            }
            if (second != null) {
                close(Tasks.awaitQuietly(second));
            }
        }
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
        return new Finding(t.qualified(), LeakClass.TOO_FEW_TENANTS,
                (tenants.isEmpty() ? "no tenant has rows" : "only tenant " + tenants.keySet().iterator().next()
                        + " has rows") + " in " + cat.tables.size() + " tenant table(s) with column " + column
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
        /** Each user sequence's state as {@code last_value,is_called}. */
        final Map<String, String> sequences = new LinkedHashMap<>();

        static OwnerReads of(Connection owner, Catalog cat, boolean probing) throws SQLException {
            OwnerReads out = new OwnerReads();
            List<Catalog.Table> tables = new ArrayList<>(cat.tables.values());
            List<Catalog.Table> templated = new ArrayList<>();
            StringBuilder sql = new StringBuilder();
            String col = Sql.ident(cat.tenantColumn());
            for (Catalog.Table t : tables) {
                sql.append("SELECT ").append(col).append("::text, count(*) FROM ").append(t.qualified())
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
                        sql.append(i == 0 ? "" : ", ").append(Sql.ident(t.insertColumns().get(i).name()))
                                .append("::text");
                    }
                    sql.append(" FROM ").append(t.qualified()).append(" LIMIT 1;");
                }
                if (!cat.sequences.isEmpty()) {
                    sql.append(sequenceStates(cat.sequences));
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
                                if (r.getString(1) == null) {
                                    out.shared.put(t.oid(), r.getLong(2));
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
                if (probing && !cat.sequences.isEmpty()) {
                    try (ResultSet r = s.getResultSet()) {
                        while (r.next()) {
                            out.sequences.put(r.getString(1), r.getString(2));
                        }
                    }
                }
            }
            return out;
        }
    }

    /** @return a query of each sequence's name and state as {@code last_value,is_called} */
    private static String sequenceStates(List<String> names) {
        StringBuilder sql = new StringBuilder();
        for (String n : names) {
            sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT ").append(Sql.literal(n))
                    .append(", last_value::text || ',' || is_called::text FROM ").append(n);
        }
        return sql.toString();
    }

    /** @return for views the app role can insert into: one row of their insertable columns as the owner sees it */
    private static Map<Long, List<String>> viewTemplates(Connection owner, Catalog cat) throws SQLException {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (Catalog.View v : cat.views) {
            if (!v.appInsert() || v.kind() != 'v' || v.insertColumns().isEmpty()) {
                continue;
            }
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < v.insertColumns().size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(Sql.ident(v.insertColumns().get(i).name())).append("::text");
            }
            sql.append(" FROM ").append(v.qualified()).append(" LIMIT 1");
            try (Statement s = owner.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
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
    private static void restore(Connection owner, Map<String, String> before) throws SQLException {
        if (before.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        for (Map.Entry<String, String> e : before.entrySet()) {
            String[] v = e.getValue().split(",");
            sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT setval(").append(Sql.literal(e.getKey()))
                    .append(", ").append(v[0]).append(", ").append(v[1]).append(") FROM ").append(e.getKey())
                    .append(" WHERE last_value::text || ',' || is_called::text <> ").append(Sql.literal(e.getValue()));
        }
        try (Statement s = owner.createStatement()) {
            s.execute(sql.toString());
        }
    }
}
