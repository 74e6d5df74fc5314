package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.IsolationReport;
import dev.prodlike.rls.RlsAudit;
import org.junit.jupiter.api.Test;

/**
 * Fixture for row 4: the RLS audit (static catalog checks and dynamic probes as the app role) of a migrated schema
 * of 100 tenant tables with three tenants' rows. Measured by the audit's own clock, first and second run.
 */
@ProductionLikeDatabase(migrations = "classpath:db/rls100")
public class RlsAuditTestCase {

    static volatile IsolationReport first;
    static volatile IsolationReport second;
    static volatile long staticOnlyMs;

    @Test
    void auditHundredTables(TenantDatabase db) {
        first = RlsAudit.of(db).run();
        second = RlsAudit.of(db).run();
        staticOnlyMs = RlsAudit.of(db).staticOnly().run().elapsed().toMillis();
    }
}
