package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;

@ProductionLikeDatabase
class RlsAssertionsTests {

    @Test
    void correctTablePassesEveryCheck(TenantDatabase db) {
        assertThatNoException().isThrownBy(() -> {
            RlsAssertions.assertThat(db)
                    .table("orders")
                    .hasRowLevelSecurity()
                    .isForced()
                    .isolatesTenants();
            RlsAssertions.assertThat(db).table("public.orders").isolatesTenants();
            RlsAssertions.assertThat(db).appRole().cannotBypassRowLevelSecurity();
            RlsAssertions.assertThatTenant(db, "acme").seesOnlyOwnRowsIn("orders");
            RlsAssertions.assertThatTenant(db, "globex").seesOnlyOwnRowsIn("public.orders");
        });
    }

    @Test
    void hasRowLevelSecurityNamesTableAndFix(TenantDatabase db) {
        Corpus.apply(db, "leaks/rls-disabled.sql");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db).table("invoices").hasRowLevelSecurity())
                .withMessage("Expecting table public.invoices\nto have row-level security enabled\nbut relrowsecurity"
                        + " = false: every role with a grant reads all tenants' rows.\nFix:\n"
                        + "  ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;\n"
                        + "  ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;");
    }

    @Test
    void isForcedNamesOwner(TenantDatabase db) {
        Corpus.apply(db, "leaks/owner-not-forced.sql");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db)
                        .table("orders")
                        .hasRowLevelSecurity()
                        .isForced())
                .withMessageContaining("Expecting table public.orders\nto force row-level security")
                .withMessageContaining("its owner " + db.appRole())
                .withMessageContaining("ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;");
    }

    @Test
    void isolatesTenantsListsEveryFindingOfTheTableInOneFailure(TenantDatabase db) {
        Corpus.apply(db, "leaks/insert-without-check.sql");
        Corpus.apply(db, "leaks/truncate-granted.sql");
        Corpus.apply(db, "leaks/rls-disabled.sql"); // another table: not part of this assertion

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db).table("orders").isolatesTenants())
                .withMessageStartingWith("Expecting table public.orders in database " + db.databaseName())
                .withMessageContaining("to isolate tenants for role " + db.appRole() + "\nbut found 2 leaks:")
                .withMessageContaining("1) public.orders — TRUNCATE_GRANTED")
                .withMessageContaining("2) public.orders — WITH_CHECK_MISSING")
                .withMessageContaining("shows:    CROSS_TENANT_INSERT: as tenant acme: INSERT INTO public.orders")
                .withMessageContaining(
                        "evidence: POLICY \"orders_insert\" ON public.orders AS PERMISSIVE FOR INSERT TO public"
                                + " WITH CHECK (true)")
                .withMessageContaining(
                        "fix:      ALTER POLICY \"orders_insert\" ON public.orders WITH CHECK (\"tenant_id\" ="
                                + " current_setting('app.current_tenant', true));")
                .withMessageNotContaining("public.invoices");
    }

    @Test
    void schemaAuditListsFindingsOfAllTablesInOneFailure(TenantDatabase db) {
        Corpus.apply(db, "leaks/rls-disabled.sql");
        Corpus.apply(db, "leaks/definer-view.sql");
        Corpus.apply(db, "leaks/security-definer-function.sql");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db)
                        .tablesWithColumn("tenant_id")
                        .areIsolated())
                .withMessageContaining("public.invoices — RLS_DISABLED")
                .withMessageContaining("public.order_totals — DEFINER_VIEW")
                .withMessageContaining("public.order_count(p_tenant text) — SECURITY_DEFINER_FUNCTION")
                .withMessageContaining(
                        "shows:    CROSS_TENANT_READ: as tenant acme: SELECT \"tenant_id\", count(*) FROM"
                                + " public.invoices GROUP BY 1 returned {acme=1, globex=1}")
                .withMessageNotContaining("public.invoices — CROSS_TENANT_READ");
    }

    @Test
    void seesOnlyOwnRowsFailsWithRowCounts(TenantDatabase db) {
        Corpus.apply(db, "leaks/broad-permissive.sql");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThatTenant(db, "globex").seesOnlyOwnRowsIn("orders"))
                .withMessageContaining("Expecting tenant globex to see only its own rows in orders\nbut as role "
                        + db.appRole() + " with app.current_tenant = 'globex' it saw {acme=2}")
                .withMessageContaining("CREATE POLICY tenant_isolation ON orders");
    }

    @Test
    void tooFewTenantsFailsAndSaysHowToSeed(TenantDatabase db) {
        Corpus.execute(db, "DELETE FROM orders WHERE tenant_id = 'globex'");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db).table("orders").isolatesTenants())
                .withMessageContaining("public.orders — TOO_FEW_TENANTS")
                .withMessageContaining("only tenant acme has rows")
                .withMessageContaining(
                        "INSERT INTO public.orders (\"item\", \"tenant_id\") VALUES (<item>, 'tenant-a'),"
                                + " (<item>, 'tenant-b');");
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThatTenant(db, "acme").seesOnlyOwnRowsIn("orders"))
                .withMessageContaining("but no other tenant has rows there (owner sees {acme=2})");
    }

    @Test
    void unknownTenantColumnFailsClearly(TenantDatabase db) {
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() ->
                        RlsAssertions.assertThat(db).tablesWithColumn("org_id").areIsolated())
                .withMessageContaining("no table in a non-system schema has a column named org_id");
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db).table("tenants").isolatesTenants())
                .withMessageContaining("Expecting table tenants in database " + db.databaseName()
                        + "\nto isolate tenants\nbut it has no column tenant_id");
    }

    @Test
    void customTenantColumn(TenantDatabase db) {
        Corpus.execute(
                db,
                "CREATE TABLE accounts (id int PRIMARY KEY, org_id text NOT NULL);"
                        + "GRANT SELECT ON accounts TO " + db.appRole() + ";"
                        + "INSERT INTO accounts VALUES (1, 'acme'), (2, 'globex');");

        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db)
                        .withTenantColumn("org_id")
                        .table("accounts")
                        .isolatesTenants())
                .withMessageContaining("public.accounts — RLS_DISABLED")
                .withMessageContaining("USING (\"org_id\" = current_setting('app.current_tenant', true))");
    }
}
