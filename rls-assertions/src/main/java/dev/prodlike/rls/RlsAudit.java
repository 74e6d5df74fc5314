package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.internal.Auditor;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Audits tenant isolation of a whole database and returns the findings as data rather than failing a test.
 *
 * <pre>{@code
 * IsolationReport report = RlsAudit.of(db).run();
 * report.findings().forEach(f -> System.out.println(f.relation() + " " + f.leakClass() + "\n" + f.fix()));
 * }</pre>
 *
 * <p>A tenant table is any table, partitioned table, partition or inheritance child in a non-system schema with the
 * tenant column (default {@value #DEFAULT_TENANT_COLUMN}). The audit has two parts:
 * <ul>
 *   <li>static, from the catalogs as the owner: RLS enabled (also on partitions and children the app role can use
 *   directly) and forced where the app role owns the table (directly or through membership); the app role neither
 *   superuser nor BYPASSRLS nor able to become one; every permissive policy that applies to the app role confines
 *   the tenant column to the tenant setting, without branches that grant rows when it is unset; INSERT and UPDATE
 *   paths check the tenant of the new row; on a nullable tenant column, no write policy admits shared rows
 *   ({@code tenant_id IS NULL}), which read policies may; no definer-rights view over tenant tables on which the app
 *   role has any privilege (reads, and writes that reach the table with the owner's rights: auto-updatable views
 *   and INSTEAD rules), no materialized view it can read; no SECURITY DEFINER function executable by it that reads
 *   tenant tables with a bypassing owner; no user-defined LEAKPROOF function; no TRUNCATE grant; no role or
 *   database default for the tenant setting;</li>
 *   <li>dynamic, as the app role, for every tenant with rows acting against every other tenant, each probe in a
 *   subtransaction that is rolled back: reads, UPDATE and DELETE without WHERE, INSERT for another tenant (without
 *   RETURNING), UPDATE (without WHERE) moving a row to another tenant, writes to shared rows; rows visible
 *   with the setting never set, set to {@code ''} and after {@code DISCARD ALL}; a pool of one returning a
 *   connection used as a tenant; reads and writes through views and set-returning functions the app role can use,
 *   within a time budget; writes to tables a read policy reads (shares, memberships) that would show the tenant
 *   another tenant's rows; and, on the owner's connection, the non-interference probe: what a tenant reads through
 *   a view or function must not change when only another tenant's rows change. A view or function that runs with
 *   its owner's rights but passes every probe is verified, not reported ({@link IsolationReport#notes()}).</li>
 * </ul>
 * Shared rows, marked by a NULL tenant or by a constant a read policy compares the tenant column with
 * ({@code tenant_id = '*'}), may be read by every tenant; writing them is a leak.
 * Probes leave no trace: writes are rolled back and sequences the probes advanced are set back. From 20 tenant tables
 * on, the table probes run on two app-role connections at once (on one when the second cannot be opened); a probe
 * that waited for a lock the other connection held runs again alone, so the findings are those of one connection.
 *
 * <p>Each finding names one cause found in the catalogs, with the fix that removes it; what the probes showed is
 * attached to the cause that explains it ({@link Finding#consequences()}). Probe evidence no cause explains is a
 * finding of its own.
 *
 * <p>Limitations: policies are read as text; a policy that identifies the tenant other than through the tenant
 * setting (e.g. {@code current_user} lookups) is reported as ignoring the tenant. Fewer than two tenants with rows is
 * reported as {@link LeakClass#TOO_FEW_TENANTS}, since nothing cross-tenant can be proven. The full list of what is
 * and is not checked is in {@code docs/rls-catalogue.md}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public final class RlsAudit {

    /** The tenant column assumed unless {@link #tenantColumn(String)} says otherwise: {@value}. */
    public static final String DEFAULT_TENANT_COLUMN = "tenant_id";

    private final TenantDatabase db;
    private String tenantColumn = DEFAULT_TENANT_COLUMN;
    private final Set<String> tables = new LinkedHashSet<>();
    private boolean dynamic = true;

    private RlsAudit(TenantDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * @param db the database to audit, as injected by {@code @ProductionLikeDatabase}
     * @return an audit of every tenant table in it
     */
    public static RlsAudit of(TenantDatabase db) {
        return new RlsAudit(db);
    }

    /**
     * @param column the column that holds the tenant id
     * @return this audit
     */
    public RlsAudit tenantColumn(String column) {
        this.tenantColumn = Objects.requireNonNull(column, "column");
        return this;
    }

    /**
     * Limits the audit to these tenant tables (and the views and functions over them).
     *
     * @param names bare ({@code orders}) or schema-qualified ({@code public.orders}) table names
     * @return this audit
     */
    public RlsAudit tables(String... names) {
        tables.addAll(List.of(names));
        return this;
    }

    /** @return this audit, reduced to the catalog checks (no statement runs as the app role) */
    public RlsAudit staticOnly() {
        this.dynamic = false;
        return this;
    }

    /**
     * Runs the audit.
     *
     * @return every finding
     * @throws IllegalStateException when the profile has no tenant setting or the database cannot be read
     */
    public IsolationReport run() {
        return Auditor.run(db, tenantColumn, tables, dynamic);
    }
}
