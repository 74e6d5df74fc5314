package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import java.util.Objects;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a tenant database as a whole; navigate to a {@link #table(String) table}, to
 * {@link #tablesWithColumn(String) all tenant tables} or to the {@link #appRole() app role}.
 *
 * <pre>{@code
 * assertThat(db).tablesWithColumn("tenant_id").areIsolated();
 * assertThat(db).withTenantColumn("org_id").table("invoices").isolatesTenants();
 * }</pre>
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractDatabaseRlsAssert<SELF extends AbstractDatabaseRlsAssert<SELF>>
        extends AbstractAssert<SELF, TenantDatabase> {

    private String tenantColumn = RlsAudit.DEFAULT_TENANT_COLUMN;

    /**
     * @param db       the database under test
     * @param selfType the concrete assertion class
     */
    protected AbstractDatabaseRlsAssert(TenantDatabase db, Class<?> selfType) {
        super(db, selfType);
    }

    /**
     * @param column the column that holds the tenant id for {@link #table(String)} (default
     *               {@value RlsAudit#DEFAULT_TENANT_COLUMN})
     * @return this assertion
     */
    public SELF withTenantColumn(String column) {
        this.tenantColumn = Objects.requireNonNull(column, "column");
        return myself;
    }

    /**
     * @param table a tenant table, bare ({@code orders}) or schema-qualified ({@code public.orders})
     * @return assertions on that table
     */
    public TableRlsAssert table(String table) {
        isNotNull();
        return new TableRlsAssert(actual, table, tenantColumn);
    }

    /**
     * @param column the tenant column; every table with it is a tenant table
     * @return assertions on all tenant tables
     */
    public TablesRlsAssert tablesWithColumn(String column) {
        isNotNull();
        return new TablesRlsAssert(actual, column);
    }

    /** @return assertions on the application role */
    public AppRoleRlsAssert appRole() {
        isNotNull();
        return new AppRoleRlsAssert(actual, tenantColumn);
    }
}
