package dev.prodlike.rls;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Correct schemas: a false alarm is as much a bug as a missed leak. */
@ProductionLikeDatabase
class CorrectCorpusTests {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "per-command-policies, public.orders, 14",
        "security-invoker-view, public.orders, 15",
        "view-owned-by-non-bypassing-role, public.orders, 14",
        "partitions-not-granted, public.events_acme, 14",
        "restrictive-tenant-policy, public.shipments, 14",
        "uuid-tenant-function-trigger, public.documents, 14",
        "functions-that-do-not-leak, public.orders, 14",
        "shared-reference-rows, public.products, 14",
        "shared-branch-not-null, public.labels, 14",
        "security-invoker-writable-view, public.orders, 15",
        "view-instead-trigger-invoker, public.orders, 14",
        "table-function-invoker, public.orders, 14",
        "view-trigger-stamps-tenant, public.orders, 15"
    })
    void auditFindsNothing(String schema, String audited, int since, TenantDatabase db) {
        assumeTrue(Corpus.major(db) >= since, "needs PostgreSQL " + since + "+");
        Corpus.apply(db, "correct/" + schema + ".sql");

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.tenantTables()).contains(audited);
        assertThat(report.tenants()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(report.findings()).as(report.toString()).isEmpty();
        assertThat(report.isIsolated()).isTrue();
        RlsAssertions.assertThat(db).tablesWithColumn("tenant_id").areIsolated();
        RlsAssertions.assertThat(db).appRole().cannotBypassRowLevelSecurity();
    }
}
