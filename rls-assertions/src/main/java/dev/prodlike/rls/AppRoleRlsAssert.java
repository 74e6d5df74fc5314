package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import org.apiguardian.api.API;

/**
 * Assertions on the application role; see {@link AbstractAppRoleRlsAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class AppRoleRlsAssert extends AbstractAppRoleRlsAssert<AppRoleRlsAssert> {

    /**
     * @param db     the database under test
     * @param column the tenant column
     */
    public AppRoleRlsAssert(TenantDatabase db, String column) {
        super(db, column, AppRoleRlsAssert.class);
    }
}
