package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import org.apiguardian.api.API;

/**
 * Assertions on every tenant table; see {@link AbstractTablesRlsAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class TablesRlsAssert extends AbstractTablesRlsAssert<TablesRlsAssert> {

    /**
     * @param db     the database under test
     * @param column the tenant column
     */
    public TablesRlsAssert(TenantDatabase db, String column) {
        super(db, column, TablesRlsAssert.class);
    }
}
