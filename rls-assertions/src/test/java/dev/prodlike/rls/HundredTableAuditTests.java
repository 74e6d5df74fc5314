package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Audits a schema of 100 isolated tenant tables (plus the base) and prints how long the audit took. The time is
 * reported, not asserted: timing assertions make flaky tests. Runs alone so the number is not other tests' load.
 */
@Isolated
@ProductionLikeDatabase
class HundredTableAuditTests {

    @Test
    void auditOfHundredTables(TenantDatabase db) {
        StringBuilder sql = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            String t = "t" + i;
            sql.append("CREATE TABLE ")
                    .append(t)
                    .append(" (id bigserial PRIMARY KEY, tenant_id text NOT NULL")
                    .append(" REFERENCES tenants (id), payload text NOT NULL, amount int NOT NULL DEFAULT 0);")
                    .append("ALTER TABLE ")
                    .append(t)
                    .append(" ENABLE ROW LEVEL SECURITY;")
                    .append("ALTER TABLE ")
                    .append(t)
                    .append(" FORCE ROW LEVEL SECURITY;")
                    .append("CREATE POLICY ")
                    .append(t)
                    .append("_tenant ON ")
                    .append(t)
                    .append(" USING (tenant_id = current_setting('app.current_tenant', true))")
                    .append(" WITH CHECK (tenant_id = current_setting('app.current_tenant', true));")
                    .append("GRANT SELECT, INSERT, UPDATE, DELETE ON ")
                    .append(t)
                    .append(" TO ")
                    .append(db.appRole())
                    .append(";GRANT USAGE ON SEQUENCE ")
                    .append(t)
                    .append("_id_seq TO ")
                    .append(db.appRole())
                    .append(";INSERT INTO ")
                    .append(t)
                    .append(" (tenant_id, payload) SELECT CASE WHEN g % 2 = 0")
                    .append(" THEN 'acme' ELSE 'globex' END, 'row ' || g FROM generate_series(1, 20) g;");
        }
        Corpus.execute(db, sql.toString());

        IsolationReport first = RlsAudit.of(db).run();
        IsolationReport second = RlsAudit.of(db).run();

        System.out.printf(
                "[prodlike] RLS audit of %d tenant tables, %d tenants, on PostgreSQL %s: first run %d ms,"
                        + " second run %d ms (static: %d ms)%n",
                second.tenantTables().size(),
                second.tenants().size(),
                db.serverVersion(),
                first.elapsed().toMillis(),
                second.elapsed().toMillis(),
                RlsAudit.of(db).staticOnly().run().elapsed().toMillis());
        assertThat(second.tenantTables()).hasSize(101);
        assertThat(second.findings()).as(second.toString()).isEmpty();
    }
}
