package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.internal.Messages;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the application role.
 *
 * <pre>{@code
 * assertThat(db).appRole().cannotBypassRowLevelSecurity();
 * }</pre>
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractAppRoleRlsAssert<SELF extends AbstractAppRoleRlsAssert<SELF>>
        extends AbstractAssert<SELF, TenantDatabase> {

    private static final Set<LeakClass> BYPASSES =
            EnumSet.of(LeakClass.ROLE_BYPASSES_RLS, LeakClass.RLS_NOT_FORCED, LeakClass.TENANT_SETTING_DEFAULT);

    private final String column;

    /**
     * @param db       the database under test
     * @param column   the tenant column
     * @param selfType the concrete assertion class
     */
    protected AbstractAppRoleRlsAssert(TenantDatabase db, String column, Class<?> selfType) {
        super(db, selfType);
        this.column = column;
    }

    /**
     * Verifies from the catalogs that no policy can be skipped by the app role: it is neither superuser nor
     * BYPASSRLS nor a member of such a role, it owns no tenant table (directly or through membership) whose RLS is
     * not forced, and no role or database default sets the tenant for it.
     *
     * @return this assertion
     */
    public SELF cannotBypassRowLevelSecurity() {
        isNotNull();
        IsolationReport report =
                RlsAudit.of(actual).tenantColumn(column).staticOnly().run();
        List<Finding> findings = report.findings().stream()
                .filter(f -> BYPASSES.contains(f.leakClass()))
                .toList();
        if (!findings.isEmpty()) {
            failWithMessage(
                    "%s",
                    "Expecting role " + actual.appRole() + " in database " + actual.databaseName()
                            + "\nto be bound by row-level security\nbut " + Messages.leaks(findings));
        }
        return myself;
    }
}
