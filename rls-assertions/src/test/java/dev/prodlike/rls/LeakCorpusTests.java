package dev.prodlike.rls;

import static dev.prodlike.rls.LeakClass.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** One leaking schema per class of leak: the audit must name the relation, the class and the fix. */
@ProductionLikeDatabase
class LeakCorpusTests {

    /** Schema, relation at fault, cause, a fragment of its fix, the probe evidence expected under it (or null). */
    static Stream<Arguments> leaks() {
        return Stream.of(
                arguments(
                        "rls-disabled",
                        "public.invoices",
                        RLS_DISABLED,
                        "ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "partition-granted",
                        "public.events_globex",
                        RLS_DISABLED,
                        "REVOKE ALL ON public.events_globex FROM",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "inheritance-child",
                        "public.notes_archive",
                        RLS_DISABLED,
                        "ALTER TABLE public.notes_archive ENABLE ROW LEVEL SECURITY",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "owner-not-forced",
                        "public.orders",
                        RLS_NOT_FORCED,
                        "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY",
                        CROSS_TENANT_UPDATE,
                        14),
                arguments(
                        "owner-through-membership",
                        "public.orders",
                        RLS_NOT_FORCED,
                        "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "broad-permissive",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "DROP POLICY \"orders_support\" ON public.orders",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "broad-permissive",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "DROP POLICY \"orders_support\" ON public.orders",
                        POOLED_CONNECTION_KEEPS_TENANT,
                        14),
                arguments(
                        "policy-without-setting",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "ALTER POLICY \"orders_select\" ON public.orders USING (\"tenant_id\" = current_setting('app.current_tenant', true))",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "fails-open",
                        "public.orders",
                        POLICY_FAILS_OPEN,
                        "ALTER POLICY \"orders_select\" ON public.orders",
                        VISIBLE_WITHOUT_TENANT,
                        14),
                arguments(
                        "fails-open-coalesce",
                        "public.orders",
                        VISIBLE_WITHOUT_TENANT,
                        "ALTER POLICY \"orders_select\" ON public.orders USING (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        POOLED_CONNECTION_KEEPS_TENANT,
                        14),
                arguments(
                        "insert-without-check",
                        "public.orders",
                        WITH_CHECK_MISSING,
                        "ALTER POLICY \"orders_insert\" ON public.orders WITH CHECK",
                        CROSS_TENANT_INSERT,
                        14),
                arguments(
                        "update-without-check",
                        "public.orders",
                        WITH_CHECK_MISSING,
                        "ALTER POLICY \"orders_update\" ON public.orders WITH CHECK",
                        TENANT_REASSIGNMENT,
                        14),
                arguments(
                        "update-any-row",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "ALTER POLICY \"orders_update\" ON public.orders USING",
                        CROSS_TENANT_UPDATE,
                        14),
                arguments(
                        "delete-any-row",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "ALTER POLICY \"orders_delete\" ON public.orders USING",
                        CROSS_TENANT_DELETE,
                        14),
                arguments(
                        "definer-view",
                        "public.order_totals",
                        DEFINER_VIEW,
                        "REVOKE SELECT ON public.order_totals FROM",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "definer-view-insert-only",
                        "public.order_entry",
                        DEFINER_VIEW,
                        "REVOKE INSERT ON public.order_entry FROM",
                        CROSS_TENANT_INSERT,
                        14),
                arguments(
                        "definer-view-update-only",
                        "public.order_entry",
                        DEFINER_VIEW,
                        "REVOKE UPDATE ON public.order_entry FROM",
                        CROSS_TENANT_UPDATE,
                        14),
                arguments(
                        "definer-view-delete-only",
                        "public.order_entry",
                        DEFINER_VIEW,
                        "REVOKE DELETE ON public.order_entry FROM",
                        CROSS_TENANT_DELETE,
                        14),
                arguments(
                        "definer-view-instead-rule",
                        "public.order_totals",
                        DEFINER_VIEW,
                        "REVOKE INSERT ON public.order_totals FROM",
                        CROSS_TENANT_INSERT,
                        14),
                arguments(
                        "definer-trigger-view",
                        "public.order_entry_insert()",
                        SECURITY_DEFINER_FUNCTION,
                        "ALTER FUNCTION public.order_entry_insert() SECURITY INVOKER",
                        CROSS_TENANT_INSERT,
                        14),
                arguments(
                        "nested-definer-view",
                        "public.order_items",
                        DEFINER_VIEW,
                        "ALTER VIEW public.order_items",
                        CROSS_TENANT_READ,
                        15),
                arguments(
                        "materialized-view",
                        "public.order_stats",
                        MATERIALIZED_VIEW,
                        "REVOKE SELECT ON public.order_stats FROM",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "security-definer-function",
                        "public.order_count(p_tenant text)",
                        SECURITY_DEFINER_FUNCTION,
                        "ALTER FUNCTION public.order_count(p_tenant text) SECURITY INVOKER",
                        CROSS_TENANT_INFLUENCE,
                        14),
                arguments(
                        "table-function",
                        "public.orders_of(p_tenant text)",
                        SECURITY_DEFINER_FUNCTION,
                        "ALTER FUNCTION public.orders_of(p_tenant text) SECURITY INVOKER",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "leakproof-function",
                        "public.same_text(a text, b text)",
                        LEAKPROOF_FUNCTION,
                        "ALTER FUNCTION public.same_text(a text, b text) NOT LEAKPROOF",
                        null,
                        14),
                arguments(
                        "truncate-granted",
                        "public.orders",
                        TRUNCATE_GRANTED,
                        "REVOKE TRUNCATE ON public.orders FROM",
                        null,
                        14),
                arguments(
                        "tenant-setting-default",
                        null,
                        TENANT_SETTING_DEFAULT,
                        "RESET app.current_tenant",
                        VISIBLE_WITHOUT_TENANT,
                        14),
                arguments(
                        "tenant-setting-default",
                        null,
                        TENANT_SETTING_DEFAULT,
                        "RESET app.current_tenant",
                        POOLED_CONNECTION_KEEPS_TENANT,
                        14),
                arguments(
                        "shared-rows-insert",
                        "public.products",
                        SHARED_ROWS_WRITABLE,
                        "ALTER POLICY \"products_insert\" ON public.products WITH CHECK (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        SHARED_ROW_WRITE,
                        14),
                arguments(
                        "shared-rows-update",
                        "public.products",
                        SHARED_ROWS_WRITABLE,
                        "ALTER POLICY \"products_update\" ON public.products USING (\"tenant_id\" = current_setting('app.current_tenant', true))",
                        SHARED_ROW_WRITE,
                        14),
                arguments(
                        "shared-rows-delete",
                        "public.products",
                        SHARED_ROWS_WRITABLE,
                        "ALTER POLICY \"products_delete\" ON public.products USING (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        SHARED_ROW_WRITE,
                        14),
                arguments(
                        "shared-rows-all-policy",
                        "public.products",
                        SHARED_ROWS_WRITABLE,
                        "CREATE POLICY \"products_tenant_shared_read\" ON public.products FOR SELECT TO public USING (\"tenant_id\" IS NULL);",
                        SHARED_ROW_WRITE,
                        14),
                arguments(
                        "share-table-writable",
                        "public.documents",
                        ACCESS_WIDENED_BY_WRITE,
                        "REVOKE INSERT, UPDATE ON public.shares FROM",
                        null,
                        14),
                arguments(
                        "membership-function-writable",
                        "public.orders",
                        ACCESS_WIDENED_BY_WRITE,
                        "CREATE POLICY \"grants_own_rows_insert\" ON public.memberships AS RESTRICTIVE FOR INSERT TO \"rls_app\" WITH CHECK (\"of_tenant\" = current_setting('app.current_tenant', true));",
                        null,
                        14),
                arguments(
                        "sentinel-shared-rows-insert",
                        "public.categories",
                        SHARED_ROWS_WRITABLE,
                        "ALTER POLICY \"categories_insert\" ON public.categories WITH CHECK (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        SHARED_ROW_WRITE,
                        14),
                arguments(
                        "sentinel-shared-rows-update",
                        "public.categories",
                        SHARED_ROWS_WRITABLE,
                        "ALTER POLICY \"categories_update\" ON public.categories USING (\"tenant_id\" = current_setting('app.current_tenant', true)) WITH CHECK (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        SHARED_ROW_WRITE,
                        14),
                arguments(
                        "definer-view-subselect",
                        "public.order_popularity",
                        DEFINER_VIEW,
                        "REVOKE SELECT ON public.order_popularity FROM",
                        CROSS_TENANT_INFLUENCE,
                        14),
                arguments(
                        "definer-function-ratio",
                        "public.my_share_of_orders()",
                        SECURITY_DEFINER_FUNCTION,
                        "ALTER FUNCTION public.my_share_of_orders() SECURITY INVOKER",
                        CROSS_TENANT_INFLUENCE,
                        14),
                arguments(
                        "update-using-true-checked",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "ALTER POLICY \"orders_update\" ON public.orders USING (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        CROSS_TENANT_UPDATE,
                        14),
                arguments(
                        "restrictive-select-only",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "ALTER POLICY \"orders_app\" ON public.orders USING (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        CROSS_TENANT_DELETE,
                        14),
                arguments(
                        "other-schema-table",
                        "billing.\"Invoices\"",
                        RLS_DISABLED,
                        "ALTER TABLE billing.\"Invoices\" ENABLE ROW LEVEL SECURITY",
                        CROSS_TENANT_READ,
                        14),
                arguments(
                        "inheritance-child-fails-open",
                        "public.orders_archive",
                        VISIBLE_WITHOUT_TENANT,
                        "ALTER POLICY \"orders_archive_select\" ON public.orders_archive USING (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        null,
                        14),
                arguments(
                        "policy-reads-other-setting",
                        "public.orders",
                        POLICY_IGNORES_TENANT,
                        "ALTER POLICY \"orders_select\" ON public.orders USING (\"tenant_id\" = current_setting('app.current_tenant', true));",
                        CROSS_TENANT_READ,
                        14));
    }

    /** How many findings (causes) each leaking schema yields: one per cause, its probe evidence under it. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "rls-disabled | RLS_DISABLED",
                "partition-granted | RLS_DISABLED",
                "inheritance-child | RLS_DISABLED",
                "owner-not-forced | RLS_NOT_FORCED, TRUNCATE_GRANTED",
                "owner-through-membership | RLS_NOT_FORCED, TRUNCATE_GRANTED",
                "broad-permissive | POLICY_IGNORES_TENANT",
                "policy-without-setting | POLICY_IGNORES_TENANT",
                "fails-open | POLICY_FAILS_OPEN",
                "fails-open-coalesce | VISIBLE_WITHOUT_TENANT",
                "insert-without-check | WITH_CHECK_MISSING",
                "update-without-check | WITH_CHECK_MISSING",
                "update-any-row | POLICY_IGNORES_TENANT",
                "delete-any-row | POLICY_IGNORES_TENANT",
                "definer-view | DEFINER_VIEW",
                "definer-view-insert-only | DEFINER_VIEW",
                "definer-view-update-only | DEFINER_VIEW",
                "definer-view-delete-only | DEFINER_VIEW",
                "definer-view-instead-rule | DEFINER_VIEW",
                "definer-trigger-view | SECURITY_DEFINER_FUNCTION",
                "materialized-view | MATERIALIZED_VIEW",
                "security-definer-function | SECURITY_DEFINER_FUNCTION",
                "table-function | SECURITY_DEFINER_FUNCTION",
                "leakproof-function | LEAKPROOF_FUNCTION",
                "truncate-granted | TRUNCATE_GRANTED",
                "tenant-setting-default | TENANT_SETTING_DEFAULT",
                "shared-rows-insert | SHARED_ROWS_WRITABLE",
                "shared-rows-update | SHARED_ROWS_WRITABLE",
                "shared-rows-delete | SHARED_ROWS_WRITABLE",
                "shared-rows-all-policy | SHARED_ROWS_WRITABLE",
                "share-table-writable | ACCESS_WIDENED_BY_WRITE",
                "membership-function-writable | ACCESS_WIDENED_BY_WRITE",
                "sentinel-shared-rows-insert | SHARED_ROWS_WRITABLE",
                "sentinel-shared-rows-update | SHARED_ROWS_WRITABLE",
                "definer-view-subselect | DEFINER_VIEW",
                "definer-function-ratio | SECURITY_DEFINER_FUNCTION",
                "update-using-true-checked | POLICY_IGNORES_TENANT",
                "restrictive-select-only | POLICY_IGNORES_TENANT, WITH_CHECK_MISSING",
                "other-schema-table | RLS_DISABLED",
                "inheritance-child-fails-open | VISIBLE_WITHOUT_TENANT",
                "policy-reads-other-setting | POLICY_IGNORES_TENANT"
            })
    void eachCauseIsReportedOnceWithItsEvidenceUnderIt(String schema, String causes, TenantDatabase db) {
        Corpus.apply(db, "leaks/" + schema + ".sql");

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings())
                .as(report.toString())
                .extracting(f -> f.leakClass().name())
                .containsExactlyInAnyOrder(causes.split(",\\s*"));
        assertThat(report.findings()).as(report.toString()).allSatisfy(f -> {
            assertThat(f.fix()).isNotBlank();
            assertThat(f.consequences()).allSatisfy(c -> {
                assertThat(c.leakClass().kind()).isEqualTo(LeakClass.Kind.DYNAMIC);
                assertThat(c.fix()).isEqualTo(f.fix());
            });
        });
    }

    @ParameterizedTest(name = "{0}: {2} on {1}, showing {4}")
    @MethodSource("leaks")
    void auditNamesRelationLeakClassAndFix(
            String schema, String relation, LeakClass leak, String fix, LeakClass shows, int since, TenantDatabase db) {
        assumeTrue(Corpus.major(db) >= since, "needs PostgreSQL " + since + "+");
        Corpus.apply(db, "leaks/" + schema + ".sql");
        String expected = relation != null ? relation : db.appRole();

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings(leak)).as(report.toString()).anySatisfy(f -> {
            assertThat(f.relation()).isEqualTo(expected);
            assertThat(f.fix()).contains(fix);
            assertThat(f.evidence()).isNotBlank();
            if (shows != null) {
                assertThat(f.consequences()).extracting(Finding::leakClass).contains(shows);
            }
        });
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db)
                        .tablesWithColumn("tenant_id")
                        .areIsolated())
                .withMessageContaining("Expecting tables with column tenant_id")
                .withMessageContaining(expected + " — " + leak)
                .withMessageContaining(fix)
                .withMessageContaining(shows == null ? "fix:" : "shows:    " + shows);
    }
}
