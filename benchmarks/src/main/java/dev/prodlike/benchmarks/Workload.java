package dev.prodlike.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What every measured "test" does with its fresh database, the same for prodlike and the baselines: as the app role
 * with tenant {@code acme} set, place an order with one line and read the tenant's order summary back through RLS.
 */
final class Workload {

    private Workload() {}

    /** @param c a connection as the app role whose tenant setting is {@code acme} */
    static void run(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO orders (tenant_id, customer_id, status) SELECT 'acme', id, 'new'"
                    + " FROM customers WHERE email = 'wile@acme.test'");
            s.executeUpdate("INSERT INTO order_lines (tenant_id, order_id, product_id, quantity, price_cents)"
                    + " SELECT 'acme', o.id, p.id, 2, p.price_cents FROM orders o, products p"
                    + " WHERE p.sku = 'ANVIL' ORDER BY o.id DESC LIMIT 1");
            try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(total_cents), 0) FROM order_summary")) {
                rs.next();
                // A fresh database holds exactly the one order just placed; anything else means isolation broke.
                if (rs.getLong(1) != 1 || rs.getLong(2) != 19800) {
                    throw new IllegalStateException("expected 1 order of 19800 cents in a fresh database, saw "
                            + rs.getLong(1) + " orders of " + rs.getLong(2));
                }
            }
        }
    }

    /**
     * The read-only variant (the row on databases handed on): as tenant {@code acme}, read the catalogue and the
     * order summary, which a fresh database has no orders in.
     *
     * @param c a connection as the app role whose tenant setting is {@code acme}
     */
    static void readOnly(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM products p JOIN customers c ON c.tenant_id ="
                    + " p.tenant_id WHERE p.sku = 'ANVIL'")) {
                rs.next();
                if (rs.getLong(1) != 1) {
                    throw new IllegalStateException("expected acme's anvil, saw " + rs.getLong(1) + " rows");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM order_summary")) {
                rs.next();
                if (rs.getLong(1) != 0) {
                    throw new IllegalStateException("expected no orders in a fresh database, saw " + rs.getLong(1));
                }
            }
        }
    }

    /** @param c a connection as the app role; sets the tenant for the session */
    static Connection asAcme(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT set_config('app.current_tenant', 'acme', false)");
        }
        return c;
    }
}
