package dev.prodlike.rls;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;

@ProductionLikeDatabase(appRole = "rls_super_app", migrations = "classpath:db/migration,classpath:rls/roles/superuser")
class SuperuserRoleTests {

    @Test
    void superuserIsReportedWithFix(TenantDatabase db) {
        RoleBypass.assertReported(
                db, "role rls_super_app has SUPERUSER (rolsuper = true)", "ALTER ROLE \"rls_super_app\" NOSUPERUSER;");
    }
}
