package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import org.apiguardian.api.API;

/**
 * Assertions on one tenant table; see {@link AbstractTableRlsAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class TableRlsAssert extends AbstractTableRlsAssert<TableRlsAssert> {

    /**
     * @param db     the database under test
     * @param table  the table, bare or schema-qualified
     * @param column the tenant column
     */
    public TableRlsAssert(TenantDatabase db, String table, String column) {
        super(db, table, column, TableRlsAssert.class);
    }
}
