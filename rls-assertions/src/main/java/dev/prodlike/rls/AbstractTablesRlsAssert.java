package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.internal.Messages;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on every tenant table of a database (every table with the tenant column).
 *
 * <pre>{@code
 * assertThat(db).tablesWithColumn("tenant_id").areIsolated();
 * }</pre>
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractTablesRlsAssert<SELF extends AbstractTablesRlsAssert<SELF>>
        extends AbstractAssert<SELF, TenantDatabase> {

    private final String column;

    /**
     * @param db       the database under test
     * @param column   the tenant column
     * @param selfType the concrete assertion class
     */
    protected AbstractTablesRlsAssert(TenantDatabase db, String column, Class<?> selfType) {
        super(db, selfType);
        this.column = column;
    }

    /**
     * Verifies with a full {@link RlsAudit} (static and dynamic) that tenants are isolated in every table with the
     * column, and in the views and functions over them. Fails with all findings at once.
     *
     * @return this assertion
     */
    public SELF areIsolated() {
        isNotNull();
        IsolationReport report = RlsAudit.of(actual).tenantColumn(column).run();
        if (report.tenantTables().isEmpty()) {
            failWithMessage(
                    "%s",
                    "Expecting tables with column " + column + " in database " + report.database()
                            + "\nto isolate tenants\nbut no table in a non-system schema has a column named " + column
                            + ", so nothing was audited.\nFix: name the column that holds the tenant id, e.g."
                            + " tablesWithColumn(\"org_id\").");
        }
        if (!report.isIsolated()) {
            failWithMessage(
                    "%s",
                    "Expecting tables with column " + column + " in database " + report.database()
                            + " (" + report.tenantTables().size()
                            + (report.tenantTables().size() == 1 ? " tenant table" : " tenant tables")
                            + ", tenants " + report.tenants().keySet() + ")"
                            + "\nto isolate tenants for role " + report.appRole() + "\nbut "
                            + Messages.leaks(report.findings()));
        }
        return myself;
    }
}
