package dev.prodlike.rls;

import org.apiguardian.api.API;
import java.util.List;
import java.util.Objects;

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

    /**
     * @param relation     the object at fault, schema-qualified ({@code public.orders}, {@code public.f(text)}) or a role
     * @param leakClass    the class of leak
     * @param evidence     what the catalogs or probes showed
     * @param fix          SQL that removes the leak
     * @param tenantTables the tenant tables whose rows leak through it (may be empty, e.g. for a role finding)
     */
    public Finding(String relation, LeakClass leakClass, String evidence, String fix, List<String> tenantTables) {
        this.relation = Objects.requireNonNull(relation, "relation");
        this.leakClass = Objects.requireNonNull(leakClass, "leakClass");
        this.evidence = Objects.requireNonNull(evidence, "evidence");
        this.fix = Objects.requireNonNull(fix, "fix");
        this.tenantTables = List.copyOf(tenantTables);
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
     * @param table a tenant table, schema-qualified or bare
     * @return whether this finding concerns that table: it is the relation, a table it exposes, or role-wide
     */
    public boolean concerns(String table) {
        return tenantTables.isEmpty() || matches(relation, table) || tenantTables.stream().anyMatch(t -> matches(t, table));
    }

    private static boolean matches(String qualified, String name) {
        return qualified.equals(name) || qualified.endsWith("." + name);
    }

    @Override
    public String toString() {
        return relation + " — " + leakClass + " (" + leakClass.description() + ")\n"
                + indent("evidence: ", evidence) + "\n" + indent("fix:      ", fix);
    }

    static String indent(String label, String text) {
        String pad = " ".repeat(label.length());
        return label + text.replace("\n", "\n" + pad);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Finding f && relation.equals(f.relation) && leakClass == f.leakClass
                && evidence.equals(f.evidence) && fix.equals(f.fix) && tenantTables.equals(f.tenantTables);
    }

    @Override
    public int hashCode() {
        return Objects.hash(relation, leakClass, evidence, fix, tenantTables);
    }
}
