package com.example.invoices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.RlsAssertions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@ProductionLikeDatabase
class InvoicesTests {

    @Test
    @TenantContext("acme")
    void aTenantSeesOnlyItsOwnInvoices(DataSource acme, TenantDatabase db) throws SQLException {
        try (Connection globex = db.asTenant("globex").getConnection()) {
            globex.createStatement().execute("INSERT INTO invoices (amount_cents) VALUES (500)");
        }
        try (Connection c = acme.getConnection()) {     // as invoices_app, app.current_tenant = 'acme'
            c.createStatement().execute("INSERT INTO invoices (amount_cents) VALUES (1200)");
            ResultSet rs = c.createStatement().executeQuery("SELECT amount_cents FROM invoices");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1200);
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void everyTenantTableIsIsolated(TenantDatabase db) throws SQLException {
        try (Connection owner = db.ownerDataSource().getConnection()) {   // the audit needs two tenants' rows
            owner.createStatement().execute(
                    "INSERT INTO invoices (tenant_id, amount_cents) VALUES ('acme', 100), ('globex', 200)");
        }
        RlsAssertions.assertThat(db).tablesWithColumn("tenant_id").areIsolated();
        RlsAssertions.assertThat(db).appRole().cannotBypassRowLevelSecurity();
    }

    @Test
    void theChangelogRanAsInProduction(TenantDatabase db) throws SQLException {
        try (Connection owner = db.ownerDataSource().getConnection()) {
            ResultSet rs = owner.createStatement().executeQuery(
                    "SELECT id, filename FROM databasechangelog ORDER BY orderexecuted");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("001-invoices");
            assertThat(rs.getString(2)).isEqualTo("db/changelog/changes/001-invoices.yaml");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("002-invoices-rls");
            assertThat(rs.next()).isFalse();
        }
    }
}
