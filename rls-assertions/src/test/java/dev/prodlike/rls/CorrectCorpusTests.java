package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Correct schemas: a false alarm is as much a bug as a missed leak. {@code audited} names what the audit must have
 * examined: a tenant table, or a view or function the non-interference probe verified.
 */
@ProductionLikeDatabase
class CorrectCorpusTests {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "per-command-policies | public.orders | 14",
                "security-invoker-view | view public.order_totals | 15",
                "view-owned-by-non-bypassing-role | view public.order_totals | 14",
                "partitions-not-granted | public.events_acme | 14",
                "restrictive-tenant-policy | public.shipments | 14",
                "uuid-tenant-function-trigger | public.documents | 14",
                "functions-that-do-not-leak | function public.my_order_count() | 14",
                "shared-reference-rows | public.products | 14",
                "shared-branch-not-null | public.labels | 14",
                "security-invoker-writable-view | view public.order_entry | 15",
                "view-instead-trigger-invoker | view public.order_entry: its writes were probed | 14",
                "table-function-invoker | function public.orders_of(p_tenant text) | 14",
                "view-trigger-stamps-tenant | view public.order_entry | 15",
                "definer-view-filters-tenant | view public.my_orders | 14",
                "definer-function-filters-tenant | function public.my_order_total() | 14",
                "sentinel-shared-rows | public.categories | 14",
                "share-table-checked | public.documents | 14",
                "other-schema-quoted | \"Sales\".\"Deals\" | 14",
                "inheritance-child-isolated | public.orders_archive | 14"
            })
    void auditFindsNothing(String schema, String audited, int since, TenantDatabase db) {
        assumeTrue(Corpus.major(db) >= since, "needs PostgreSQL " + since + "+");
        Corpus.apply(db, "correct/" + schema + ".sql");

        IsolationReport report = RlsAudit.of(db).run();

        if (audited.contains(": ")) { // a view the app role may only write: its write probes ran
            assertThat(report.notes())
                    .as(report.toString())
                    .contains(audited + " as each tenant and reached no other" + " tenant's rows");
        } else if (audited.startsWith("view ") || audited.startsWith("function ")) { // probed, not only present
            assertThat(report.notes())
                    .as(report.toString())
                    .contains(
                            audited + ": verified by the non-interference"
                                    + " probe (as each tenant, what it read did not change when another tenant's rows changed)");
        } else {
            assertThat(report.tenantTables()).contains(audited);
        }
        assertThat(report.tenants()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(report.findings()).as(report.toString()).isEmpty();
        assertThat(report.isIsolated()).isTrue();
        RlsAssertions.assertThat(db).tablesWithColumn("tenant_id").areIsolated();
        RlsAssertions.assertThat(db).appRole().cannotBypassRowLevelSecurity();
    }
}
