package dev.prodlike.rls.internal;

import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dynamic checks: statements run as the app role, every write inside a transaction (and a savepoint) that is
 * rolled back.
 */
final class Probes {

    /** The outcome of one multi-statement probe: the results in order, or the error that stopped it. */
    private record Outcome(List<Object> results, SQLException error) {
        boolean ok() {
            return error == null;
        }

        long count(int index) {
            Object o = results.get(index);
            if (o instanceof Long l) {
                return l;
            }
            @SuppressWarnings("unchecked")
            List<List<String>> rows = (List<List<String>>) o;
            return Long.parseLong(rows.get(0).get(0));
        }

        @SuppressWarnings("unchecked")
        List<List<String>> rows(int index) {
            return (List<List<String>>) results.get(index);
        }

        boolean passedRls() {
            // constraint checks (SQLSTATE class 23) run after the RLS WITH CHECK of INSERT and UPDATE
            return error != null && error.getSQLState() != null && error.getSQLState().startsWith("23");
        }
    }

    private final Catalog cat;
    private final StaticAudit statics;
    private final String column;
    private final String setting;
    private final Map<Long, Map<String, Long>> ownerCounts;
    private final Map<Long, List<String>> templates;
    private final List<String> tenants;
    private final Map<String, Map<LeakClass, List<String>>> evidence = new LinkedHashMap<>();
    private boolean pendingRollback;
    private String preamble;

    Probes(Catalog cat, StaticAudit statics, String column, String setting, Map<Long, Map<String, Long>> ownerCounts,
           Map<Long, List<String>> templates, List<String> tenants) {
        this.cat = cat;
        this.statics = statics;
        this.column = column;
        this.setting = setting;
        this.ownerCounts = ownerCounts;
        this.templates = templates;
        this.tenants = tenants;
    }

    List<Finding> run(DataSource app) throws SQLException {
        List<Catalog.Table> probed = cat.tables.values().stream().filter(Catalog.Table::reachable).toList();
        try (Connection c = app.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (Catalog.Table t : probed) {
                    Map<String, Long> counts = ownerCounts.getOrDefault(t.oid(), Map.of());
                    if (counts.isEmpty()) {
                        continue; // nothing to leak yet
                    }
                    for (String actor : tenants) { // also tenants without rows here: they must see none
                        try {
                            crossTenant(s, t, actor, counts);
                        } finally {
                            pendingRollback = false;
                            preamble = null;
                            c.rollback();
                        }
                    }
                }
            }
        }
        List<Catalog.Table> withRows = probed.stream().filter(Catalog.Table::select)
                .filter(t -> !ownerCounts.getOrDefault(t.oid(), Map.of()).isEmpty()).toList();
        if (!withRows.isEmpty()) {
            failClosed(app, withRows);
            pooled(app, withRows);
        }
        return findings();
    }

    private void crossTenant(Statement s, Catalog.Table t, String actor, Map<String, Long> counts)
            throws SQLException {
        String q = t.qualified();
        String col = Sql.ident(column);
        String me = Sql.typed(actor, t.tenantType());
        long owned = counts.getOrDefault(actor, 0L);
        String scope = "SELECT set_config(" + Sql.literal(setting) + ", " + Sql.literal(actor) + ", false)";
        long visibleOwn = -1;
        if (!t.select()) {
            s.execute(scope);
        } else {
            preamble = scope; // sent with the read, before its savepoint, so it holds for the whole transaction
            Outcome read = probe(s, "SELECT " + col + "::text, count(*) FROM " + q + " GROUP BY 1 ORDER BY 1");
            if (read.ok()) {
                Map<String, Long> seen = new TreeMap<>();
                for (List<String> row : read.rows(1)) {
                    seen.put(String.valueOf(row.get(0)), Long.parseLong(row.get(1)));
                }
                visibleOwn = seen.getOrDefault(actor, 0L);
                Map<String, Long> foreign = new TreeMap<>(seen);
                foreign.remove(actor);
                if (!foreign.isEmpty()) {
                    add(t, LeakClass.CROSS_TENANT_READ, "as tenant " + actor + ": SELECT " + col
                            + ", count(*) FROM " + q + " GROUP BY 1 returned " + seen + "; owner sees " + counts);
                }
            }
        }
        if (t.update()) {
            Outcome upd = probe(s, "UPDATE " + q + " SET " + col + " = " + me);
            if (upd.ok() && upd.count(1) > owned) {
                add(t, LeakClass.CROSS_TENANT_UPDATE, "as tenant " + actor + ": UPDATE " + q + " SET " + col + " = "
                        + me + " (no WHERE) changed " + upd.count(1) + " rows; tenant " + actor + " owns " + owned
                        + "; owner sees " + counts);
            }
        }
        if (t.delete()) {
            Outcome del = probe(s, "DELETE FROM " + q);
            if (del.ok() && del.count(1) > owned) {
                add(t, LeakClass.CROSS_TENANT_DELETE, "as tenant " + actor + ": DELETE FROM " + q + " (no WHERE)"
                        + " deleted " + del.count(1) + " rows; tenant " + actor + " owns " + owned + "; owner sees "
                        + counts);
            } else if (!del.ok()) {
                String sql = "DELETE FROM " + q + " WHERE " + col + "::text <> " + Sql.literal(actor);
                Outcome narrow = probe(s, sql);
                if ((narrow.ok() && narrow.count(1) > 0) || narrow.passedRls()) {
                    add(t, LeakClass.CROSS_TENANT_DELETE, "as tenant " + actor + ": " + sql + " "
                            + (narrow.ok() ? "deleted " + narrow.count(1) + " rows"
                            : "reached other tenants' rows and failed only on " + message(narrow.error()))
                            + "; owner sees " + counts);
                }
            }
        }
        String ownCount = "SELECT count(*) FROM " + q + " WHERE " + col + "::text = " + Sql.literal(actor);
        for (String target : tenants) {
            if (target.equals(actor)) {
                continue;
            }
            String them = Sql.typed(target, t.tenantType());
            if (t.insert()) {
                String insert = insert(t, target, templates.get(t.oid()));
                if (insert != null) {
                    Outcome ins = t.select() ? probe(s, insert, ownCount) : probe(s, insert);
                    boolean rewrittenToActor = ins.ok() && t.select() && visibleOwn >= 0
                            && ins.count(2) == visibleOwn + 1;
                    if ((ins.ok() && !rewrittenToActor) || ins.passedRls()) {
                        add(t, LeakClass.CROSS_TENANT_INSERT, "as tenant " + actor + ": " + insert + " (no RETURNING) "
                                + (ins.ok() ? "was accepted" : "passed the row-level security check and failed only on "
                                + message(ins.error())));
                    }
                }
            }
            if (t.update()) {
                String[] moves = owned == 0 ? new String[0] : new String[] {
                    "UPDATE " + q + " SET " + col + " = " + them + " WHERE " + col + "::text = " + Sql.literal(actor),
                    "UPDATE " + q + " SET " + col + " = " + them
                };
                for (String move : moves) {
                    Outcome mv = t.select() ? probe(s, move, ownCount) : probe(s, move);
                    boolean moved = mv.ok() && mv.count(1) > 0
                            && (!t.select() || visibleOwn < 0 || mv.count(2) < visibleOwn);
                    if (moved || mv.passedRls()) {
                        add(t, LeakClass.TENANT_REASSIGNMENT, "as tenant " + actor + ": " + move + " "
                                + (mv.ok() ? "moved " + (t.select() && visibleOwn >= 0 ? visibleOwn - mv.count(2)
                                : mv.count(1)) + " of " + actor + "'s rows to " + target
                                : "passed the row-level security check and failed only on " + message(mv.error())));
                    }
                }
            }
        }
    }

    private String insert(Catalog.Table t, String target, List<String> template) {
        if (template == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < t.insertColumns().size(); i++) {
            Catalog.Column col = t.insertColumns().get(i);
            names.add(Sql.ident(col.name()));
            values.add(Sql.typed(template.get(i), col.type()));
        }
        names.add(Sql.ident(column));
        values.add(Sql.typed(target, t.tenantType()));
        return "INSERT INTO " + t.qualified() + " (" + String.join(", ", names) + ") VALUES ("
                + String.join(", ", values) + ")";
    }

    private void failClosed(DataSource app, List<Catalog.Table> tables) throws SQLException {
        try (Connection c = app.getConnection(); Statement s = c.createStatement()) {
            Map<String, String> states = new LinkedHashMap<>();
            states.put("tenant setting never set", null);
            states.put(setting + " set to ''", "SELECT set_config(" + Sql.literal(setting) + ", '', false)");
            states.put("after SET " + setting + " = " + Sql.literal(tenants.isEmpty() ? "x" : tenants.get(0))
                    + " and DISCARD ALL", "SELECT set_config(" + Sql.literal(setting) + ", "
                    + Sql.literal(tenants.isEmpty() ? "x" : tenants.get(0)) + ", false)\nDISCARD ALL");
            for (Map.Entry<String, String> state : states.entrySet()) {
                if (state.getValue() != null) {
                    for (String statement : state.getValue().split("\n")) {
                        s.execute(statement); // one by one: DISCARD ALL cannot run in a pipeline
                    }
                }
                Map<Catalog.Table, Long> visible = visible(s, tables);
                visible.forEach((t, n) -> add(t, LeakClass.VISIBLE_WITHOUT_TENANT, state.getKey() + ": SELECT count(*)"
                        + " FROM " + t.qualified() + " returned " + n + " (owner sees " + ownerCounts.get(t.oid()) + ")"));
            }
        }
    }

    private void pooled(DataSource app, List<Catalog.Table> tables) throws SQLException {
        String tenant = tenants.isEmpty() ? null : tenants.get(0);
        if (tenant == null) {
            return;
        }
        try (PoolOfOne pool = new PoolOfOne(app, setting)) {
            try (Connection c = pool.borrow(tenant); Statement s = c.createStatement()) {
                s.execute("SELECT count(*) FROM " + tables.get(0).qualified());
            } catch (SQLException ignored) {
                // using the connection is all that matters here
            }
            try (Connection c = pool.borrow(null); Statement s = c.createStatement()) {
                Map<Catalog.Table, Long> visible = visible(s, tables);
                visible.forEach((t, n) -> add(t, LeakClass.POOLED_CONNECTION_KEEPS_TENANT, "a pool of one lent its"
                        + " connection as tenant " + tenant + ", took it back (RESET " + setting + "), lent it without"
                        + " a tenant: SELECT count(*) FROM " + t.qualified() + " returned " + n + " (owner sees "
                        + ownerCounts.get(t.oid()) + ")"));
            }
        }
    }

    /** Counts rows visible per table in one round trip, or one by one when a statement fails (fail-closed errors). */
    private static Map<Catalog.Table, Long> visible(Statement s, List<Catalog.Table> tables) {
        Map<Catalog.Table, Long> out = new LinkedHashMap<>();
        StringBuilder batch = new StringBuilder();
        for (Catalog.Table t : tables) {
            batch.append("SELECT count(*) FROM ").append(t.qualified()).append(";");
        }
        try {
            List<Object> results = all(s, batch.toString());
            for (int i = 0; i < tables.size(); i++) {
                @SuppressWarnings("unchecked")
                long n = Long.parseLong(((List<List<String>>) results.get(i)).get(0).get(0));
                if (n > 0) {
                    out.put(tables.get(i), n);
                }
            }
            return out;
        } catch (SQLException e) {
            out.clear();
        }
        for (Catalog.Table t : tables) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t.qualified())) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    out.put(t, rs.getLong(1));
                }
            } catch (SQLException e) {
                // an error when no tenant is set is fail-closed
            }
        }
        return out;
    }

    /**
     * Runs statements inside a savepoint that is rolled back; result 0 is the SAVEPOINT itself. After an error the
     * rollback to the savepoint is sent with the next probe, saving a round trip.
     */
    private Outcome probe(Statement s, String... statements) throws SQLException {
        String sql = (pendingRollback ? "ROLLBACK TO SAVEPOINT prodlike_probe;" : "")
                + (preamble == null ? "" : preamble + ";")
                + "SAVEPOINT prodlike_probe;" + String.join(";", statements) + ";ROLLBACK TO SAVEPOINT prodlike_probe";
        int skip = (pendingRollback ? 1 : 0) + (preamble == null ? 0 : 1);
        pendingRollback = false;
        preamble = null;
        try {
            List<Object> results = all(s, sql);
            return new Outcome(results.subList(skip, results.size()), null);
        } catch (SQLException e) {
            pendingRollback = true;
            return new Outcome(List.of(), e);
        }
    }

    private static List<Object> all(Statement s, String sql) throws SQLException {
        List<Object> results = new ArrayList<>();
        boolean rs = s.execute(sql);
        while (true) {
            if (rs) {
                List<List<String>> rows = new ArrayList<>();
                try (ResultSet r = s.getResultSet()) {
                    int n = r.getMetaData().getColumnCount();
                    while (r.next()) {
                        List<String> row = new ArrayList<>(n);
                        for (int i = 1; i <= n; i++) {
                            row.add(r.getString(i));
                        }
                        rows.add(row);
                    }
                }
                results.add(rows);
            } else {
                long count = s.getLargeUpdateCount();
                if (count == -1) {
                    break;
                }
                results.add(count);
            }
            rs = s.getMoreResults();
        }
        return results;
    }

    private static String message(SQLException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return m + " (SQLSTATE " + e.getSQLState() + ")";
    }

    private void add(Catalog.Table t, LeakClass leak, String line) {
        List<String> lines = evidence.computeIfAbsent(t.qualified(), k -> new LinkedHashMap<>())
                .computeIfAbsent(leak, k -> new ArrayList<>());
        if (!lines.contains(line)) {
            lines.add(line);
        }
    }

    private List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, Map<LeakClass, List<String>>> e : evidence.entrySet()) {
            Catalog.Table t = cat.tables.values().stream().filter(x -> x.qualified().equals(e.getKey())).findFirst()
                    .orElseThrow();
            for (Map.Entry<LeakClass, List<String>> l : e.getValue().entrySet()) {
                out.add(new Finding(t.qualified(), l.getKey(), String.join("\n", l.getValue()), fix(t, l.getKey()),
                        List.of(t.qualified())));
            }
        }
        return out;
    }

    private String fix(Catalog.Table t, LeakClass leak) {
        String pred = statics.tenantPredicate(t);
        return switch (leak) {
            case VISIBLE_WITHOUT_TENANT, POOLED_CONNECTION_KEEPS_TENANT ->
                    "-- compare with current_setting(..., true) so an unset or empty tenant matches no row, and drop"
                            + " policy branches that grant rows without a tenant; remove any default:\n"
                            + "ALTER ROLE " + Sql.ident(cat.app.name()) + " RESET " + setting + ";\n"
                            + "CREATE POLICY tenant_isolation ON " + t.qualified() + " USING (" + pred
                            + ") WITH CHECK (" + pred + ");";
            case CROSS_TENANT_INSERT, TENANT_REASSIGNMENT ->
                    "-- every INSERT and UPDATE policy must check the new row:\n"
                            + "CREATE POLICY tenant_isolation ON " + t.qualified() + " USING (" + pred
                            + ") WITH CHECK (" + pred + ");  -- or ALTER POLICY <name> ON " + t.qualified()
                            + " WITH CHECK (" + pred + ");";
            default -> "-- make every policy for the app role confine " + column + " (see the static findings):\n"
                    + statics.isolationSql(t);
        };
    }
}
