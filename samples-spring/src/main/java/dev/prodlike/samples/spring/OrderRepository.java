package dev.prodlike.samples.spring;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Orders in PostgreSQL. It never filters by tenant itself: row-level security does, for whatever tenant the
 * connection carries ({@link TenantScope} sets it per transaction).
 */
@Repository
public class OrderRepository {

    private final JdbcClient jdbc;

    OrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @return every order the current tenant may see */
    public List<Order> findAll() {
        return jdbc.sql("SELECT id, tenant_id, customer_email, status FROM orders ORDER BY id")
                .query((rs, n) -> new Order(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
    }

    /**
     * @param id an order id
     * @return the order, if the current tenant may see it
     */
    public Optional<Order> findById(long id) {
        return jdbc.sql("SELECT id, tenant_id, customer_email, status FROM orders WHERE id = ?")
                .param(id)
                .query((rs, n) -> new Order(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .optional();
    }

    /**
     * @param tenant the tenant (RLS refuses any other than the connection's)
     * @param email  the customer
     * @return the new order
     */
    public Order insert(String tenant, String email) {
        return jdbc.sql("INSERT INTO orders (tenant_id, customer_email) VALUES (?, ?)"
                        + " RETURNING id, tenant_id, customer_email, status")
                .params(tenant, email)
                .query((rs, n) -> new Order(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .single();
    }

    /**
     * @param id     an order id
     * @param status the new status
     * @return whether the current tenant had such an order
     */
    public boolean updateStatus(long id, String status) {
        return jdbc.sql("UPDATE orders SET status = ?, updated_at = now() WHERE id = ?")
                        .params(status, id)
                        .update()
                == 1;
    }
}
