package dev.prodlike.rls;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One leak found by an {@link RlsAudit}: the relation (or role, function) at fault, the class of leak, the evidence
 * and the SQL that fixes it.
 *
 * <pre>{@code
 * for (Finding f : RlsAudit.of(db).run().findings()) {
 *     log.warn("{} {}: {}\n  fix: {}", f.relation(), f.leakClass(), f.evidence(), f.fix());
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class Finding {

    private final String relation;
    private final LeakClass leakClass;
    private final String evidence;
    private final String fix;
    private final List<String> tenantTables;
    private final List<Finding> consequences;

    /**
     * @param relation     the object at fault, schema-qualified ({@code public.orders}, {@code public.f(text)}) or a role
     * @param leakClass    the class of leak
     * @param evidence     what the catalogs or probes showed
     * @param fix          SQL that removes the leak
     * @param tenantTables the tenant tables whose rows leak through it (may be empty, e.g. for a role finding)
     */
    public Finding(String relation, LeakClass leakClass, String evidence, String fix, List<String> tenantTables) {
        this(relation, leakClass, evidence, fix, tenantTables, List.of());
    }

    /**
     * @param relation     the object at fault, schema-qualified ({@code public.orders}, {@code public.f(text)}) or a role
     * @param leakClass    the class of leak: the cause
     * @param evidence     what the catalogs or probes showed
     * @param fix          SQL that removes the cause
     * @param tenantTables the tenant tables whose rows leak through it (may be empty, e.g. for a role finding)
     * @param consequences dynamic evidence this cause explains (probes that confirmed it), each without a fix of
     *                     its own: the cause's fix removes them
     * @since 0.1.0
     */
    public Finding(
            String relation,
            LeakClass leakClass,
            String evidence,
            String fix,
            List<String> tenantTables,
            List<Finding> consequences) {
        this.relation = Objects.requireNonNull(relation, "relation");
        this.leakClass = Objects.requireNonNull(leakClass, "leakClass");
        this.evidence = Objects.requireNonNull(evidence, "evidence");
        this.fix = Objects.requireNonNull(fix, "fix");
        this.tenantTables = List.copyOf(tenantTables);
        this.consequences = List.copyOf(consequences);
    }

    /** @return the object at fault, schema-qualified, or the role name for role findings */
    public String relation() {
        return relation;
    }

    /** @return the class of leak */
    public LeakClass leakClass() {
        return leakClass;
    }

    /** @return the evidence: policy text, owner, role attributes, row counts */
    public String evidence() {
        return evidence;
    }

    /** @return SQL (one or more statements) that removes the leak */
    public String fix() {
        return fix;
    }

    /** @return the tenant tables whose rows leak through this finding; empty for role-wide findings */
    public List<String> tenantTables() {
        return tenantTables;
    }

    /**
     * The probes' evidence that this cause explains, e.g. the {@link LeakClass#CROSS_TENANT_READ} a
     * {@code USING (true)} policy lets through. Each is a finding of a dynamic class whose {@link #fix()} is this
     * finding's fix. Not listed again in {@link IsolationReport#findings()}.
     *
     * @return the consequences of this cause; empty when no probe showed it or it is itself dynamic evidence
     * @since 0.1.0
     */
    public List<Finding> consequences() {
        return consequences;
    }

    /**
     * @param table a tenant table, schema-qualified or bare
     * @return whether this finding concerns that table: it is the relation, a table it exposes, or role-wide
     */
    public boolean concerns(String table) {
        return tenantTables.isEmpty()
                || matches(relation, table)
                || tenantTables.stream().anyMatch(t -> matches(t, table));
    }

    private static boolean matches(String qualified, String name) {
        return qualified.equals(name) || qualified.endsWith("." + name);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(relation)
                .append(" — ")
                .append(leakClass)
                .append(" (")
                .append(leakClass.description())
                .append(")\n")
                .append(indent("evidence: ", evidence));
        for (Finding c : consequences) {
            sb.append("\n")
                    .append(indent(
                            "shows:    ",
                            c.leakClass() + (c.relation().equals(relation) ? "" : " on " + c.relation()) + ": "
                                    + c.evidence()));
        }
        return sb.append("\n").append(indent("fix:      ", fix)).toString();
    }

    static String indent(String label, String text) {
        String pad = " ".repeat(label.length());
        return label + text.replace("\n", "\n" + pad);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Finding f
                && relation.equals(f.relation)
                && leakClass == f.leakClass
                && evidence.equals(f.evidence)
                && fix.equals(f.fix)
                && tenantTables.equals(f.tenantTables)
                && consequences.equals(f.consequences);
    }

    @Override
    public int hashCode() {
        return Objects.hash(relation, leakClass, evidence, fix, tenantTables, consequences);
    }
}
