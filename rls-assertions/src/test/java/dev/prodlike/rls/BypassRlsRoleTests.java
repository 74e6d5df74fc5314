package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;

@ProductionLikeDatabase(appRole = "rls_bypass_app", migrations = "classpath:db/migration,classpath:rls/roles/bypassrls")
class BypassRlsRoleTests {

    @Test
    void bypassRlsIsReportedWithFix(TenantDatabase db) {
        RoleBypass.assertReported(
                db,
                "role rls_bypass_app has BYPASSRLS (rolbypassrls = true)",
                "ALTER ROLE \"rls_bypass_app\" NOBYPASSRLS;");
    }

    @Test
    void probesConfirmTheBypass(TenantDatabase db) {
        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings()).as(report.toString()).singleElement().satisfies(f -> {
            assertThat(f.leakClass()).isEqualTo(LeakClass.ROLE_BYPASSES_RLS);
            assertThat(f.consequences())
                    .filteredOn(c -> c.leakClass() == LeakClass.CROSS_TENANT_READ)
                    .extracting(Finding::relation)
                    .containsExactly("public.orders");
            assertThat(f.consequences())
                    .filteredOn(c -> c.leakClass() == LeakClass.VISIBLE_WITHOUT_TENANT)
                    .extracting(Finding::relation)
                    .containsExactly("public.orders");
        });
    }
}
