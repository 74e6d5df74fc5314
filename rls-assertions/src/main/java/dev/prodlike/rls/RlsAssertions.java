package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import org.apiguardian.api.API;

/**
 * Entry point for tenant-isolation assertions on a {@link TenantDatabase}.
 *
 * <pre>{@code
 * import static dev.prodlike.rls.RlsAssertions.*;
 *
 * assertThat(db).table("orders").hasRowLevelSecurity().isForced().isolatesTenants();
 * assertThat(db).tablesWithColumn("tenant_id").areIsolated();    // whole schema audit
 * assertThat(db).appRole().cannotBypassRowLevelSecurity();
 * assertThatTenant(db, "acme").seesOnlyOwnRowsIn("orders");
 * }</pre>
 *
 * <p>A failing assertion lists every finding at once, each with the relation, the class of leak, the evidence and
 * the SQL that fixes it. See {@link RlsAudit} for what is checked.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class RlsAssertions {

    /** Only for extension: subclass to add entry points of your own. */
    protected RlsAssertions() {}

    /**
     * @param db the database under test
     * @return assertions on its tables and app role
     */
    public static DatabaseRlsAssert assertThat(TenantDatabase db) {
        return new DatabaseRlsAssert(db);
    }

    /**
     * @param db     the database under test
     * @param tenant the tenant to act as (through {@link TenantDatabase#asTenant(String)})
     * @return assertions on what that tenant sees
     */
    public static TenantRlsAssert assertThatTenant(TenantDatabase db, String tenant) {
        return new TenantRlsAssert(db, tenant);
    }
}
