package dev.prodlike.rls;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * The result of an {@link RlsAudit}: every finding as data, plus what was audited.
 *
 * <pre>{@code
 * IsolationReport report = RlsAudit.of(db).run();
 * if (!report.isIsolated()) {
 *     System.out.println(report);   // one numbered block per finding, with evidence and fix SQL
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public final class IsolationReport {

    private final String database;
    private final String appRole;
    private final String tenantColumn;
    private final List<String> tenantTables;
    private final Map<String, Long> tenants;
    private final List<Finding> findings;
    private final Duration elapsed;
    private final List<String> notes;

    /**
     * @param database     the audited database
     * @param appRole      the role the probes ran as
     * @param tenantColumn the tenant column that marks tenant tables
     * @param tenantTables the tenant tables audited, schema-qualified
     * @param tenants      tenants found with rows, and their row counts over all audited tables
     * @param findings     the leaks, static first
     * @param elapsed      how long the audit took
     */
    public IsolationReport(
            String database,
            String appRole,
            String tenantColumn,
            List<String> tenantTables,
            Map<String, Long> tenants,
            List<Finding> findings,
            Duration elapsed) {
        this(database, appRole, tenantColumn, tenantTables, tenants, findings, elapsed, List.of());
    }

    /**
     * @param database     the audited database
     * @param appRole      the role the probes ran as
     * @param tenantColumn the tenant column that marks tenant tables
     * @param tenantTables the tenant tables audited, schema-qualified
     * @param tenants      tenants found with rows, and their row counts over all audited tables
     * @param findings     the leaks, static first
     * @param elapsed      how long the audit took
     * @param notes        what the audit verified or could not check, that is no leak
     * @since 0.1.0
     */
    public IsolationReport(
            String database,
            String appRole,
            String tenantColumn,
            List<String> tenantTables,
            Map<String, Long> tenants,
            List<Finding> findings,
            Duration elapsed,
            List<String> notes) {
        this.notes = List.copyOf(notes);
        this.database = database;
        this.appRole = appRole;
        this.tenantColumn = tenantColumn;
        this.tenantTables = List.copyOf(tenantTables);
        this.tenants = Collections.unmodifiableMap(new TreeMap<>(tenants));
        this.findings = List.copyOf(findings);
        this.elapsed = elapsed;
    }

    /** @return the audited database's name */
    public String database() {
        return database;
    }

    /** @return the application role the audit checked and probed as */
    public String appRole() {
        return appRole;
    }

    /** @return the column that marks a table as a tenant table */
    public String tenantColumn() {
        return tenantColumn;
    }

    /** @return the tenant tables audited (tables, partitioned tables, partitions, children), schema-qualified */
    public List<String> tenantTables() {
        return tenantTables;
    }

    /** @return the tenants that have rows, sorted, with their row counts summed over the audited tables */
    public Map<String, Long> tenants() {
        return tenants;
    }

    /**
     * @return all findings, one per cause, static ones first; the probe evidence a cause explains is under it
     *         ({@link Finding#consequences()}), not listed here again; empty when tenants are isolated
     */
    public List<Finding> findings() {
        return findings;
    }

    /**
     * @param leakClass a class of leak
     * @return the findings of that class (causes; evidence listed under another cause is not included)
     */
    public List<Finding> findings(LeakClass leakClass) {
        return findings.stream().filter(f -> f.leakClass() == leakClass).collect(Collectors.toList());
    }

    /** @return whether the audit found no leak and could prove isolation (at least two tenants with rows) */
    public boolean isIsolated() {
        return findings.isEmpty();
    }

    /**
     * Notes that are not leaks: views and functions that run with their owner's rights but were verified by the
     * non-interference probe (what a tenant reads through them did not change when another tenant's rows changed),
     * what could not be verified and why, and probes that ran differently than planned (e.g. on one connection).
     *
     * @return the notes, in the order the audit made them
     * @since 0.1.0
     */
    public List<String> notes() {
        return notes;
    }

    /** @return how long the audit took */
    public Duration elapsed() {
        return elapsed;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tenant isolation of database ")
                .append(database)
                .append(" as role ")
                .append(appRole)
                .append(": ")
                .append(tenantTables.size())
                .append(" tenant tables (column ")
                .append(tenantColumn)
                .append("), tenants ")
                .append(tenants.keySet().stream().sorted().toList())
                .append(", ")
                .append(findings.size())
                .append(findings.size() == 1 ? " finding" : " findings");
        int i = 1;
        for (Finding f : findings) {
            sb.append("\n\n").append(i++).append(") ").append(f.toString().replace("\n", "\n   "));
        }
        for (String note : notes) {
            sb.append("\nnote: ").append(note);
        }
        return sb.toString();
    }
}
