package dev.prodlike.samples;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Orders in PostgreSQL, always as one tenant. The SQL names no tenant in its WHERE clauses: row-level security
 * decides what the tenant sees, which is exactly what the integration tests prove.
 *
 * @since 0.1.0
 */
public final class OrderRepository {

    private final TenantTransactions tx;

    /** @param tx runs the statements inside the tenant's transactions */
    public OrderRepository(TenantTransactions tx) {
        this.tx = tx;
    }

    /**
     * @param tenant the tenant
     * @return its orders, newest first, from the {@code order_summaries} view
     * @throws SQLException when the database fails
     */
    public List<Order.Summary> findAll(String tenant) throws SQLException {
        return tx.idempotent(tenant, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT order_id, customer_email, status, line_count, total FROM order_summaries"
                                    + " ORDER BY order_id DESC");
                    ResultSet rs = ps.executeQuery()) {
                List<Order.Summary> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Order.Summary(
                            rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getBigDecimal(5)));
                }
                return out;
            }
        });
    }

    /**
     * @param tenant the tenant
     * @param id     an order id
     * @return the order, empty when it does not exist or belongs to another tenant
     * @throws SQLException when the database fails
     */
    public Optional<Order> findById(String tenant, long id) throws SQLException {
        return tx.idempotent(tenant, c -> load(c, id));
    }

    /**
     * @param tenant the tenant
     * @param order  what to create
     * @return the created order
     * @throws SQLException when the database fails
     */
    public Order create(String tenant, Order.New order) throws SQLException {
        return tx.once(tenant, c -> {
            long id;
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO orders (tenant_id, customer_email) VALUES (?, ?) RETURNING id")) {
                ps.setString(1, tenant);
                ps.setString(2, order.customerEmail());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO order_lines (tenant_id, order_id, sku, quantity, unit_price) VALUES (?, ?, ?, ?, ?)")) {
                for (Order.Line line : order.lines()) {
                    ps.setString(1, tenant);
                    ps.setLong(2, id);
                    ps.setString(3, line.sku());
                    ps.setInt(4, line.quantity());
                    ps.setBigDecimal(5, line.unitPrice());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return load(c, id).orElseThrow();
        });
    }

    /**
     * @param tenant the tenant
     * @param id     an order id
     * @param status the new status
     * @return the updated order, empty when it does not exist or belongs to another tenant
     * @throws SQLException when the database fails
     */
    public Optional<Order> updateStatus(String tenant, long id, String status) throws SQLException {
        return tx.idempotent(tenant, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE orders SET status = ?, updated_at = now() WHERE id = ?")) {
                ps.setString(1, status);
                ps.setLong(2, id);
                if (ps.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            return load(c, id);
        });
    }

    private static Optional<Order> load(Connection c, long id) throws SQLException {
        String email;
        String status;
        try (PreparedStatement ps = c.prepareStatement("SELECT customer_email, status FROM orders WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                email = rs.getString(1);
                status = rs.getString(2);
            }
        }
        List<Order.Line> lines = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sku, quantity, unit_price FROM order_lines WHERE order_id = ? ORDER BY id")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Order.Line line = new Order.Line(rs.getString(1), rs.getInt(2), rs.getBigDecimal(3));
                    lines.add(line);
                    total = total.add(line.unitPrice().multiply(BigDecimal.valueOf(line.quantity())));
                }
            }
        }
        return Optional.of(new Order(id, email, status, List.copyOf(lines), total));
    }
}
