package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;

/** Rows with a NULL tenant shared by all tenants: reading them is fine, writing them is a leak. */
@ProductionLikeDatabase
class SharedRowsTests {

    @Test
    void sharedReferenceRowsReadableByAllTenantsAreIsolated(TenantDatabase db) {
        Corpus.apply(db, "correct/shared-reference-rows.sql");

        assertThatNoException().isThrownBy(() -> {
            RlsAssertions.assertThat(db).tablesWithColumn("tenant_id").areIsolated();
            RlsAssertions.assertThat(db).table("products").isolatesTenants();
            RlsAssertions.assertThatTenant(db, "acme").seesOnlyOwnRowsIn("products");
        });
    }

    @Test
    void oneWritePathToSharedRowsFailsNamingIt(TenantDatabase db) {
        Corpus.apply(db, "correct/shared-reference-rows.sql");
        Corpus.execute(
                db,
                "ALTER POLICY products_insert ON products"
                        + " WITH CHECK (\"tenant_id\" = current_setting('app.current_tenant', true) OR tenant_id IS NULL)");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db)
                        .tablesWithColumn("tenant_id")
                        .areIsolated())
                .withMessageContaining("but found 1 leak:")
                .withMessageContaining("1) public.products — SHARED_ROWS_WRITABLE")
                .withMessageContaining(
                        "evidence: POLICY \"products_insert\" ON public.products AS PERMISSIVE FOR INSERT")
                .withMessageContaining("branch (tenant_id IS NULL) admits rows of no tenant for INSERT")
                .withMessageContaining(
                        "shows:    SHARED_ROW_WRITE: as tenant acme: INSERT INTO public.products (\"name\","
                                + " \"tenant_id\") VALUES ('shared widget', NULL) was accepted")
                .withMessageContaining(
                        "fix:      ALTER POLICY \"products_insert\" ON public.products WITH CHECK (\"tenant_id\" ="
                                + " current_setting('app.current_tenant', true));");
    }

    @Test
    void sharedRowsAreNotCountedAsAnotherTenantsRows(TenantDatabase db) {
        Corpus.apply(db, "correct/shared-reference-rows.sql");
        Corpus.execute(
                db,
                "DROP POLICY products_select ON products;"
                        + "CREATE POLICY products_select ON products FOR SELECT USING (true)");

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings()).as(report.toString()).singleElement().satisfies(f -> {
            assertThat(f.leakClass()).isEqualTo(LeakClass.POLICY_IGNORES_TENANT);
            assertThat(f.consequences())
                    .filteredOn(c -> c.leakClass() == LeakClass.CROSS_TENANT_READ)
                    .singleElement()
                    .satisfies(c -> assertThat(c.evidence())
                            .contains("as tenant acme: SELECT \"tenant_id\", count(*) FROM public.products GROUP BY 1"
                                    + " returned {(shared, NULL)=2, acme=1, globex=1}"));
        });
    }

    @Test
    void aUsingTruePolicyIsTheCauseNotThePool(TenantDatabase db) {
        Corpus.apply(db, "leaks/broad-permissive.sql");

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings(LeakClass.POOLED_CONNECTION_KEEPS_TENANT)).isEmpty();
        assertThat(report.findings())
                .as(report.toString())
                .allSatisfy(f -> assertThat(f.fix()).doesNotContain("ALTER ROLE"));
        assertThat(report.findings(LeakClass.POLICY_IGNORES_TENANT))
                .singleElement()
                .satisfies(f -> assertThat(f.consequences())
                        .extracting(Finding::leakClass)
                        .contains(
                                LeakClass.POOLED_CONNECTION_KEEPS_TENANT,
                                LeakClass.VISIBLE_WITHOUT_TENANT,
                                LeakClass.CROSS_TENANT_READ));
    }
}
