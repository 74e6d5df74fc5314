package dev.prodlike.samples;

import static dev.prodlike.rls.RlsAssertions.assertThat;
import static dev.prodlike.rls.RlsAssertions.assertThatTenant;
import static dev.prodlike.samples.Tenants.ACME;
import static dev.prodlike.samples.Tenants.GLOBEX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.IsolationReport;
import dev.prodlike.rls.RlsAudit;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proof that the schema isolates tenants, from the catalogs (RLS enabled and forced, a policy per command, WITH CHECK
 * on writes, security_invoker views, an app role that cannot bypass it) and by trying (as {@code orders_app}, inside
 * transactions rolled back: tenant B reads, updates, deletes and inserts against tenant A's rows).
 */
@ProductionLikeDatabase
class TenantIsolationTests {

    // The dynamic checks need rows of at least two tenants; they are written the way the service writes them.
    @BeforeEach
    void seed(TenantDatabase db) throws SQLException {
        Tenants.seed(db);
        try (TenantTransactions tx = new TenantTransactions(db.appDataSource(), 1)) {
            OrderRepository orders = new OrderRepository(tx);
            Order.New order = new Order.New("buyer@example.test", List.of(new Order.Line("anvil", 1, BigDecimal.TEN)));
            orders.create(ACME, order);
            orders.create(GLOBEX, order);
        }
    }

    // One line audits every table and view with a tenant_id column: orders, order_lines, order_summaries.
    @Test
    void everyTenantTableIsIsolated(TenantDatabase db) {
        assertThat(db).tablesWithColumn("tenant_id").areIsolated();
    }

    @Test
    void theServiceRoleCannotBypassRowLevelSecurity(TenantDatabase db) {
        assertThat(db).appRole().cannotBypassRowLevelSecurity();
    }

    @Test
    void theOrdersTableForcesRowLevelSecurity(TenantDatabase db) {
        assertThat(db).table("orders").hasRowLevelSecurity().isForced().isolatesTenants();
    }

    @Test
    void acmeSeesOnlyItsOwnRows(TenantDatabase db) {
        assertThatTenant(db, ACME)
                .seesOnlyOwnRowsIn("orders")
                .seesOnlyOwnRowsIn("order_lines")
                .seesOnlyOwnRowsIn("order_summaries");
    }

    // The audit without asserting: a report to print, store or check finding by finding.
    @Test
    void theAuditReportNamesTheTenantTablesAndHasNoFindings(TenantDatabase db) {
        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.tenantTables()).contains("public.orders", "public.order_lines");
        assertThat(report.findings()).isEmpty();
    }

    // What a regression looks like: a migration that "simplifies" a policy. Each test has its own database, so
    // breaking it here touches nothing else.
    @Test
    void theAuditCatchesAPolicyThatLetsRowsBeWrittenIntoAnotherTenant(TenantDatabase db) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("ALTER POLICY order_lines_insert ON order_lines WITH CHECK (true)");
        }

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.isIsolated()).isFalse();
        assertThat(report.findings()).anySatisfy(f -> assertThat(f.relation()).isEqualTo("public.order_lines"));
    }
}
