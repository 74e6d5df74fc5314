package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import org.apiguardian.api.API;

/**
 * Assertions on a tenant database; see {@link AbstractDatabaseRlsAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class DatabaseRlsAssert extends AbstractDatabaseRlsAssert<DatabaseRlsAssert> {

    /** @param db the database under test */
    public DatabaseRlsAssert(TenantDatabase db) {
        super(db, DatabaseRlsAssert.class);
    }
}
