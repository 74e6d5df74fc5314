package dev.prodlike.rls;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.prodlike.rls.LeakClass.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** One leaking schema per class of leak: the audit must name the relation, the class and the fix. */
@ProductionLikeDatabase
class LeakCorpusTests {

    static Stream<Arguments> leaks() {
        return Stream.of(
                arguments("rls-disabled", "public.invoices", RLS_DISABLED, "ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY", 14),
                arguments("rls-disabled", "public.invoices", CROSS_TENANT_READ, "CREATE POLICY tenant_isolation ON public.invoices", 14),
                arguments("partition-granted", "public.events_globex", RLS_DISABLED, "REVOKE ALL ON public.events_globex FROM", 14),
                arguments("partition-granted", "public.events_globex", CROSS_TENANT_READ, "public.events_globex", 14),
                arguments("inheritance-child", "public.notes_archive", RLS_DISABLED, "ALTER TABLE public.notes_archive ENABLE ROW LEVEL SECURITY", 14),
                arguments("owner-not-forced", "public.orders", RLS_NOT_FORCED, "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY", 14),
                arguments("owner-not-forced", "public.orders", CROSS_TENANT_READ, "public.orders", 14),
                arguments("owner-through-membership", "public.orders", RLS_NOT_FORCED, "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY", 14),
                arguments("broad-permissive", "public.orders", POLICY_IGNORES_TENANT, "DROP POLICY orders_support ON public.orders", 14),
                arguments("broad-permissive", "public.orders", CROSS_TENANT_READ, "public.orders", 14),
                arguments("policy-without-setting", "public.orders", POLICY_IGNORES_TENANT, "ALTER POLICY orders_select ON public.orders USING (tenant_id = current_setting('app.current_tenant', true))", 14),
                arguments("fails-open", "public.orders", POLICY_FAILS_OPEN, "ALTER POLICY orders_select ON public.orders", 14),
                arguments("fails-open", "public.orders", VISIBLE_WITHOUT_TENANT, "current_setting(..., true)", 14),
                arguments("insert-without-check", "public.orders", WITH_CHECK_MISSING, "ALTER POLICY orders_insert ON public.orders WITH CHECK", 14),
                arguments("insert-without-check", "public.orders", CROSS_TENANT_INSERT, "WITH CHECK", 14),
                arguments("update-without-check", "public.orders", WITH_CHECK_MISSING, "ALTER POLICY orders_update ON public.orders WITH CHECK", 14),
                arguments("update-without-check", "public.orders", TENANT_REASSIGNMENT, "WITH CHECK", 14),
                arguments("update-any-row", "public.orders", POLICY_IGNORES_TENANT, "ALTER POLICY orders_update ON public.orders USING", 14),
                arguments("update-any-row", "public.orders", CROSS_TENANT_UPDATE, "public.orders", 14),
                arguments("delete-any-row", "public.orders", CROSS_TENANT_DELETE, "public.orders", 14),
                arguments("definer-view", "public.order_totals", DEFINER_VIEW, "public.order_totals", 14),
                arguments("nested-definer-view", "public.order_items", DEFINER_VIEW, "ALTER VIEW public.order_items", 15),
                arguments("materialized-view", "public.order_stats", MATERIALIZED_VIEW, "REVOKE SELECT ON public.order_stats FROM", 14),
                arguments("security-definer-function", "public.order_count(p_tenant text)", SECURITY_DEFINER_FUNCTION, "ALTER FUNCTION public.order_count(p_tenant text) SECURITY INVOKER", 14),
                arguments("leakproof-function", "public.same_text(a text, b text)", LEAKPROOF_FUNCTION, "ALTER FUNCTION public.same_text(a text, b text) NOT LEAKPROOF", 14),
                arguments("truncate-granted", "public.orders", TRUNCATE_GRANTED, "REVOKE TRUNCATE ON public.orders FROM", 14),
                arguments("tenant-setting-default", null, TENANT_SETTING_DEFAULT, "RESET app.current_tenant", 14),
                arguments("tenant-setting-default", "public.orders", VISIBLE_WITHOUT_TENANT, "RESET app.current_tenant", 14),
                arguments("tenant-setting-default", "public.orders", POOLED_CONNECTION_KEEPS_TENANT, "RESET app.current_tenant", 14));
    }

    @ParameterizedTest(name = "{0}: {2} on {1}")
    @MethodSource("leaks")
    void auditNamesRelationLeakClassAndFix(String schema, String relation, LeakClass leak, String fix, int since,
                                           TenantDatabase db) {
        assumeTrue(Corpus.major(db) >= since, "needs PostgreSQL " + since + "+");
        Corpus.apply(db, "leaks/" + schema + ".sql");
        String expected = relation != null ? relation : db.appRole();

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings(leak)).as(report.toString())
                .anySatisfy(f -> {
                    assertThat(f.relation()).isEqualTo(expected);
                    assertThat(f.fix()).contains(fix);
                    assertThat(f.evidence()).isNotBlank();
                });
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db).tablesWithColumn("tenant_id").areIsolated())
                .withMessageContaining("Expecting tables with column tenant_id")
                .withMessageContaining(expected + " — " + leak)
                .withMessageContaining(fix);
    }
}
