package dev.prodlike.rls;

import org.apiguardian.api.API;

/**
 * The kinds of tenant-isolation leak an {@link RlsAudit} reports, each with how it was found.
 *
 * <p>Static classes come from the system catalogs; dynamic classes from probes run as the application role inside
 * transactions that are rolled back; {@link #TOO_FEW_TENANTS} means the dynamic evidence could not be gathered.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public enum LeakClass {

    /** A table with the tenant column that the app role can use has row-level security disabled. */
    RLS_DISABLED(Kind.STATIC, "row-level security is not enabled"),
    /** RLS is enabled but not forced while the app role owns the table, directly or through role membership. */
    RLS_NOT_FORCED(Kind.STATIC, "the app role owns the table and RLS is not forced, so it does not apply"),
    /** The app role is a superuser, has BYPASSRLS, or can become a role that does. */
    ROLE_BYPASSES_RLS(Kind.STATIC, "the app role bypasses row-level security"),
    /** A permissive policy that never compares the tenant column with the tenant setting (e.g. {@code USING (true)}). */
    POLICY_IGNORES_TENANT(Kind.STATIC, "a permissive policy does not constrain the tenant"),
    /** A policy with a branch that grants rows when the tenant setting is unset or empty. */
    POLICY_FAILS_OPEN(Kind.STATIC, "a policy grants rows when the tenant setting is unset or empty"),
    /** An INSERT or UPDATE path whose WITH CHECK does not constrain the tenant of the new row. */
    WITH_CHECK_MISSING(Kind.STATIC, "new rows are not checked against the tenant"),
    /**
     * A view the app role can read or write (any of SELECT, INSERT, UPDATE, DELETE) that runs with its owner's rights
     * over tenant tables whose RLS the owner bypasses. Writes count where they reach the table with the owner's
     * rights: an auto-updatable view, or an INSTEAD rule.
     */
    DEFINER_VIEW(Kind.STATIC, "a view runs with its owner's rights, and the owner bypasses RLS"),
    /** A materialized view over tenant tables readable by the app role (materialized views have no RLS). */
    MATERIALIZED_VIEW(Kind.STATIC, "a materialized view copies tenant rows without RLS"),
    /** A SECURITY DEFINER function the app role can execute, owned by a role that bypasses RLS, reading tenant tables. */
    SECURITY_DEFINER_FUNCTION(Kind.STATIC, "a SECURITY DEFINER function reads tenant rows with its owner's rights"),
    /**
     * Shared rows (a NULL tenant on a nullable column, or a constant such as {@code '*'} that read policies compare
     * the tenant column with) are admitted by an INSERT, UPDATE or DELETE policy, so a tenant can add, change or
     * delete rows every tenant reads.
     *
     * @since 0.1.0
     */
    SHARED_ROWS_WRITABLE(Kind.STATIC, "a tenant can insert, change or delete shared rows"),
    /** A user-defined function marked LEAKPROOF: the planner may run it on rows RLS would hide. */
    LEAKPROOF_FUNCTION(Kind.STATIC, "a user-defined function is marked LEAKPROOF"),
    /** TRUNCATE on a tenant table is granted to the app role; TRUNCATE ignores RLS. */
    TRUNCATE_GRANTED(Kind.STATIC, "TRUNCATE is granted to the app role and ignores RLS"),
    /** The tenant setting has a role- or database-level default, so connections start as a tenant. */
    TENANT_SETTING_DEFAULT(Kind.STATIC, "the tenant setting has a default, so connections start as a tenant"),

    /** Acting as tenant B, the app role read rows of tenant A. */
    CROSS_TENANT_READ(Kind.DYNAMIC, "one tenant reads another tenant's rows"),
    /** Acting as tenant B, an UPDATE touched rows of tenant A. */
    CROSS_TENANT_UPDATE(Kind.DYNAMIC, "one tenant updates another tenant's rows"),
    /** Acting as tenant B, a DELETE removed rows of tenant A. */
    CROSS_TENANT_DELETE(Kind.DYNAMIC, "one tenant deletes another tenant's rows"),
    /** Acting as tenant B, an INSERT of a row for tenant A was accepted. */
    CROSS_TENANT_INSERT(Kind.DYNAMIC, "one tenant inserts rows for another tenant"),
    /** Acting as tenant B, an UPDATE moved B's row to tenant A. */
    TENANT_REASSIGNMENT(Kind.DYNAMIC, "an UPDATE moves a row to another tenant"),
    /**
     * Acting as a tenant, the app role inserted a row without a tenant, or changed or deleted a shared row.
     *
     * @since 0.1.0
     */
    SHARED_ROW_WRITE(Kind.DYNAMIC, "a tenant writes shared rows that every tenant reads"),
    /**
     * What a tenant reads through a view or function changed when only another tenant's rows changed (the
     * non-interference probe): the result depends on rows the tenant must not see.
     *
     * @since 0.1.0
     */
    CROSS_TENANT_INFLUENCE(Kind.DYNAMIC, "what a tenant reads changes when another tenant's rows change"),
    /**
     * A read policy of a tenant table reads another table (shares, memberships, ACLs) that the app role can write,
     * and a tenant wrote a row there that made another tenant's rows visible to it.
     *
     * @since 0.1.0
     */
    ACCESS_WIDENED_BY_WRITE(Kind.DYNAMIC, "a tenant writes a row a policy trusts and sees another tenant's rows"),
    /** Rows are visible with the tenant setting unset, empty, or after DISCARD ALL. */
    VISIBLE_WITHOUT_TENANT(Kind.DYNAMIC, "rows are visible without a tenant (fails open)"),
    /** A pooled connection used as a tenant and returned still carries a tenant. */
    POOLED_CONNECTION_KEEPS_TENANT(Kind.DYNAMIC, "a connection returned to the pool still carries a tenant"),

    /** Fewer than two tenants have rows, so cross-tenant probes prove nothing. */
    TOO_FEW_TENANTS(Kind.PRECONDITION, "fewer than two tenants have rows, so isolation cannot be proven");

    /** How a leak class is established. */
    public enum Kind {
        /** From the system catalogs. */
        STATIC,
        /** From probes as the app role, rolled back. */
        DYNAMIC,
        /** Evidence could not be gathered. */
        PRECONDITION
    }

    private final Kind kind;
    private final String description;

    LeakClass(Kind kind, String description) {
        this.kind = kind;
        this.description = description;
    }

    /** @return how this class of leak is established */
    public Kind kind() {
        return kind;
    }

    /** @return a one-line explanation, e.g. "row-level security is not enabled" */
    public String description() {
        return description;
    }
}
