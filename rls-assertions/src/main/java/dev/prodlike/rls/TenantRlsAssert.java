package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import org.apiguardian.api.API;

/**
 * Assertions on what one tenant sees; see {@link AbstractTenantRlsAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class TenantRlsAssert extends AbstractTenantRlsAssert<TenantRlsAssert> {

    /**
     * @param db     the database under test
     * @param tenant the tenant to act as
     */
    public TenantRlsAssert(TenantDatabase db, String tenant) {
        super(db, tenant, TenantRlsAssert.class);
    }
}
