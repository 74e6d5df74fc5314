package dev.prodlike.rls.internal;

import dev.prodlike.rls.LeakClass;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The states a connection reaches outside a transaction: after {@code DISCARD ALL}, and lent by a pool of one
 * without a tenant after it was lent as one. In auto-commit mode (these states need none); the evidence goes into
 * its own {@link Evidence}: with two connections this runs on its own thread.
 */
final class OutsideTransaction {

    private final ProbeContext ctx;

    OutsideTransaction(ProbeContext ctx) {
        this.ctx = ctx;
    }

    Evidence run(Connection c, List<Catalog.Table> readable) throws SQLException {
        Evidence into = new Evidence();
        c.setAutoCommit(true);
        afterDiscardAll(c, readable, into);
        pooled(c, readable, into);
        return into;
    }

    private void afterDiscardAll(Connection c, List<Catalog.Table> tables, Evidence into) throws SQLException {
        String tenant = ctx.tenants().isEmpty() ? "x" : ctx.tenants().get(0);
        String setting = ctx.setting();
        try (Statement s = c.createStatement()) {
            s.execute(
                    "SELECT set_config(" + SqlValues.literal(setting) + ", " + SqlValues.literal(tenant) + ", false)");
            s.execute("DISCARD ALL"); // cannot run inside a transaction block or a pipeline
            AppConnections.ownTimeouts(s); // DISCARD ALL brought back the role's and database's defaults
            for (Map.Entry<Catalog.Table, Long> e : visible(s, tables).entrySet()) {
                Catalog.Table t = e.getKey();
                into.table(
                        t,
                        LeakClass.VISIBLE_WITHOUT_TENANT,
                        "after SET " + setting + " = "
                                + SqlValues.literal(tenant) + " and DISCARD ALL: " + ctx.countTenantRows(t)
                                + " returned "
                                + e.getValue() + " (owner sees " + ctx.owner().counts(t.oid()) + ")");
            }
        }
    }

    private void pooled(Connection physical, List<Catalog.Table> tables, Evidence into) throws SQLException {
        if (ctx.tenants().isEmpty()) {
            return;
        }
        String tenant = ctx.tenants().get(0);
        PoolOfOne pool = new PoolOfOne(physical, ctx.setting());
        try (PoolOfOne.Lease lease = pool.borrow(tenant);
                Statement s = lease.connection().createStatement()) {
            s.execute("SELECT count(*) FROM " + tables.get(0).qualified());
        } catch (SQLException ignored) {
            // using the connection is all that matters here
        }
        try (PoolOfOne.Lease lease = pool.borrow(null);
                Statement s = lease.connection().createStatement()) {
            for (Map.Entry<Catalog.Table, Long> e : visible(s, tables).entrySet()) {
                Catalog.Table t = e.getKey();
                into.table(
                        t,
                        LeakClass.POOLED_CONNECTION_KEEPS_TENANT,
                        "a pool of one lent its connection as"
                                + " tenant " + tenant + ", took it back (RESET " + ctx.setting()
                                + "), lent it without a"
                                + " tenant: " + ctx.countTenantRows(t) + " returned " + e.getValue() + " (owner sees "
                                + ctx.owner().counts(t.oid()) + ")");
            }
        }
    }

    /**
     * Counts tenant rows visible per table in one round trip, or one by one when a statement fails. A statement per
     * table, not one {@code UNION ALL}: planning 100 branches at once cost the server 16-36 ms, the 100 statements
     * 7 ms (issue 24).
     */
    private Map<Catalog.Table, Long> visible(Statement s, List<Catalog.Table> tables) {
        Map<Catalog.Table, Long> out = new LinkedHashMap<>();
        StringBuilder sql = new StringBuilder();
        for (Catalog.Table t : tables) {
            sql.append(ctx.countTenantRows(t)).append(';');
        }
        try {
            s.execute(sql.toString());
            for (Catalog.Table t : tables) {
                try (ResultSet rs = s.getResultSet()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        out.put(t, rs.getLong(1));
                    }
                }
                s.getMoreResults();
            }
            return out;
        } catch (SQLException e) {
            out.clear();
        }
        for (Catalog.Table t : tables) {
            try (ResultSet rs = s.executeQuery(ctx.countTenantRows(t))) {
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
}
