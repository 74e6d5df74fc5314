package dev.prodlike.samples;

import static dev.prodlike.samples.Tenants.ACME;
import static dev.prodlike.samples.Tenants.GLOBEX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The repository against PostgreSQL 16.4 with the service's own migrations, connecting as {@code orders_app} — the
 * role production uses, which row-level security applies to. Every test gets a fresh clone of the migrated
 * database, so tests never see each other's rows.
 */
@ProductionLikeDatabase
class OrderRepositoryTests {

    private TenantTransactions tx;
    private OrderRepository orders;

    // TenantDatabase can be injected into lifecycle methods too: the service's pool wraps the app-role DataSource.
    @BeforeEach
    void startRepository(TenantDatabase db) throws SQLException {
        Tenants.seed(db);
        tx = new TenantTransactions(db.appDataSource(), 2);
        orders = new OrderRepository(tx);
    }

    @AfterEach
    void closePool() {
        tx.close();
    }

    @Test
    void createsAnOrderAndReadsItBackAsItsTenant() throws SQLException {
        Order created = orders.create(ACME, anvils());

        assertThat(orders.findById(ACME, created.id())).hasValueSatisfying(o -> {
            assertThat(o.customerEmail()).isEqualTo("wile@acme.test");
            assertThat(o.status()).isEqualTo("NEW");
            assertThat(o.total()).isEqualByComparingTo("29.70");
        });
    }

    @Test
    void anotherTenantCannotSeeOrChangeTheOrder() throws SQLException {
        Order acmeOrder = orders.create(ACME, anvils());

        // The SQL has no "WHERE tenant_id = ?": row-level security hides the row from globex.
        assertThat(orders.findById(GLOBEX, acmeOrder.id())).isEmpty();
        assertThat(orders.updateStatus(GLOBEX, acmeOrder.id(), "CANCELLED")).isEmpty();
        assertThat(orders.findAll(GLOBEX)).isEmpty();
        assertThat(orders.findById(ACME, acmeOrder.id()))
                .hasValueSatisfying(o -> assertThat(o.status()).isEqualTo("NEW"));
    }

    // @TenantContext scopes the injected DataSource to a tenant: its connections carry app.current_tenant = 'acme',
    // the way the policies expect. Here it checks what the security_invoker view shows acme.
    @Test
    @TenantContext(ACME)
    void theSummaryViewShowsOnlyTheCallersOrders(DataSource acme) throws SQLException {
        orders.create(ACME, anvils());
        orders.create(GLOBEX, anvils());
        orders.create(GLOBEX, anvils());

        try (Connection c = acme.getConnection();
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT count(*), min(tenant_id) FROM order_summaries")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isEqualTo(ACME);
        }
    }

    @Test
    void aRowCannotBeWrittenIntoAnotherTenant() {
        // WITH CHECK on the INSERT policy: globex's transaction cannot create a row that belongs to acme.
        assertThatThrownBy(() -> tx.once(GLOBEX, c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO orders (tenant_id, customer_email) VALUES ('acme', 'mallory@globex.test')")) {
                        return ps.executeUpdate();
                    }
                }))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("row-level security")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
    }

    @Test
    void theTenantLastsOneTransactionNeverTheWholeConnection(TenantDatabase db) throws SQLException {
        // A pool of one connection: whatever acme's request leaves on it, the next borrower gets.
        try (TenantTransactions single = new TenantTransactions(db.appDataSource(), 1)) {
            new OrderRepository(single).create(ACME, anvils());

            try (Connection next = single.pool().getConnection();
                    ResultSet rs = next.createStatement()
                            .executeQuery("SELECT coalesce(current_setting('app.current_tenant', true), ''),"
                                    + " (SELECT count(*) FROM orders)")) {
                rs.next();
                assertThat(rs.getString(1))
                        .as("tenant left on the pooled connection")
                        .isEmpty();
                assertThat(rs.getLong(2)).as("orders visible without a tenant").isZero();
            }
        }
    }

    @Test
    void survivesTheDatabaseKillingItsConnections(TenantDatabase db) throws SQLException {
        orders.create(ACME, anvils());

        // As in a failover: every open connection of this test's database is terminated; new ones succeed.
        assertThat(db.faults().terminateConnections())
                .as("pooled connections terminated")
                .isPositive();

        // The pool still holds the dead connections; the repository evicts them and retries its read.
        assertThat(orders.findAll(ACME)).hasSize(1);
    }

    private static Order.New anvils() {
        return new Order.New("wile@acme.test", List.of(new Order.Line("anvil", 3, new BigDecimal("9.90"))));
    }
}
