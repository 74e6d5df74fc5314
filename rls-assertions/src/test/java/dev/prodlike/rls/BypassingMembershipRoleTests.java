package dev.prodlike.rls;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;

@ProductionLikeDatabase(appRole = "rls_member_app", migrations = "classpath:db/migration,classpath:rls/roles/member")
class BypassingMembershipRoleTests {

    @Test
    void membershipInBypassingRoleIsReportedWithFix(TenantDatabase db) {
        RoleBypass.assertReported(
                db,
                "is a member of rls_member_app_admin (BYPASSRLS) and can SET ROLE to it",
                "REVOKE \"rls_member_app_admin\" FROM \"rls_member_app\";");
    }
}
