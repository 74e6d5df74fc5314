package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns static causes and dynamic evidence into findings: evidence a cause explains goes under that cause; what no
 * cause explains becomes a finding of its own, with a fix for the relation it was seen on. A pooled connection that
 * shows rows is reported under rows visible without a tenant on the same table, which explains it.
 */
final class Causes {

    /** Evidence is grouped per relation and class. */
    private record Key(String relation, LeakClass leak) {}

    private final Catalog cat;
    private final IsolationSql isolation;
    private final String column;
    private final String setting;

    Causes(Catalog cat, String column, String setting) {
        this.cat = cat;
        this.isolation = new IsolationSql(column, setting);
        this.column = column;
        this.setting = setting;
    }

    List<Finding> merge(List<Cause> causes, List<Observed> observed) {
        Map<Cause, List<Observed>> under = new LinkedHashMap<>();
        causes.forEach(c -> under.put(c, new ArrayList<>()));
        Map<Key, List<Observed>> alone = new LinkedHashMap<>();
        for (Observed o : observed) {
            Optional<Cause> cause = causes.stream().filter(c -> c.explains(o)).findFirst();
            if (cause.isPresent()) {
                under.get(cause.get()).add(o);
            } else {
                alone.computeIfAbsent(new Key(o.relation(), o.leak()), k -> new ArrayList<>())
                        .add(o);
            }
        }
        List<Finding> out = new ArrayList<>();
        under.forEach((c, os) -> out.add(withConsequences(c.finding(), os)));
        Map<String, List<Observed>> pooled = new LinkedHashMap<>();
        alone.forEach((key, os) -> {
            if (os.get(0).leak() == LeakClass.POOLED_CONNECTION_KEEPS_TENANT
                    && alone.containsKey(new Key(os.get(0).relation(), LeakClass.VISIBLE_WITHOUT_TENANT))) {
                pooled.put(os.get(0).relation(), os);
            }
        });
        alone.forEach((key, os) -> {
            Observed first = os.get(0);
            if (pooled.containsKey(first.relation()) && first.leak() == LeakClass.POOLED_CONNECTION_KEEPS_TENANT) {
                return;
            }
            Finding f = new Finding(
                    first.relation(),
                    first.leak(),
                    lines(os),
                    fix(first),
                    first.tables(),
                    first.leak() == LeakClass.VISIBLE_WITHOUT_TENANT
                            ? consequences(pooled.getOrDefault(first.relation(), List.of()), fix(first))
                            : List.of());
            out.add(f);
        });
        return out;
    }

    private static Finding withConsequences(Finding f, List<Observed> os) {
        return os.isEmpty()
                ? f
                : new Finding(
                        f.relation(),
                        f.leakClass(),
                        f.evidence(),
                        f.fix(),
                        f.tenantTables(),
                        consequences(os, f.fix()));
    }

    /** @return one consequence per relation and class, its evidence lines joined */
    private static List<Finding> consequences(List<Observed> os, String fix) {
        Map<Key, List<Observed>> grouped = new LinkedHashMap<>();
        os.forEach(o -> grouped.computeIfAbsent(new Key(o.relation(), o.leak()), k -> new ArrayList<>())
                .add(o));
        List<Finding> out = new ArrayList<>();
        grouped.values()
                .forEach(g -> out.add(new Finding(
                        g.get(0).relation(),
                        g.get(0).leak(),
                        lines(g),
                        fix,
                        g.get(0).tables())));
        return out;
    }

    private static String lines(List<Observed> os) {
        return os.stream().map(Observed::line).distinct().collect(Collectors.joining("\n"));
    }

    /** @return SQL that removes what the probe showed, for evidence no catalog finding explains */
    private String fix(Observed o) {
        if (o.fix() != null) {
            return o.fix();
        }
        Catalog.Table t = cat.tables.values().stream()
                .filter(x -> x.qualified().equals(o.relation()))
                .findFirst()
                .orElse(null);
        if (t == null) {
            return callFix(o);
        }
        String pred = isolation.predicate(t);
        return switch (o.leak()) {
            case CROSS_TENANT_READ, VISIBLE_WITHOUT_TENANT, POOLED_CONNECTION_KEEPS_TENANT, CROSS_TENANT_INFLUENCE ->
                "-- a policy lets rows through that its text seems to confine (e.g. a helper function that"
                        + " falls back to every tenant); compare the column with current_setting(..., true)"
                        + " directly, so an unset or empty tenant matches no row:\n"
                        + alter(t, Command.SELECT, false, pred);
            case CROSS_TENANT_UPDATE -> alter(t, Command.UPDATE, false, pred);
            case CROSS_TENANT_DELETE -> alter(t, Command.DELETE, false, pred);
            case CROSS_TENANT_INSERT -> alter(t, Command.INSERT, true, pred);
            case TENANT_REASSIGNMENT -> alter(t, Command.UPDATE, true, pred);
            case SHARED_ROW_WRITE ->
                alter(t, Command.INSERT, true, pred) + "\n" + alter(t, Command.UPDATE, false, pred) + "\n"
                        + alter(t, Command.DELETE, false, pred);
            default -> isolation.statements(t);
        };
    }

    /** @return ALTER POLICY for every permissive policy of the app role that covers the command */
    private String alter(Catalog.Table t, Command cmd, boolean check, String pred) {
        List<String> out = new ArrayList<>();
        for (Catalog.Policy p : cat.policies) {
            if (p.table() == t.oid()
                    && p.applies()
                    && p.permissive()
                    && p.covers(cmd)
                    && (check || p.using() != null)) {
                out.add("ALTER POLICY " + Sql.ident(p.name()) + " ON " + t.qualified()
                        + (check ? " WITH CHECK (" : " USING (") + pred + ");");
            }
        }
        return out.isEmpty() ? isolation.statements(t) : String.join("\n", out);
    }

    private String callFix(Observed o) {
        String app = Sql.ident(cat.app.name());
        boolean function = o.relation().endsWith(")");
        if (function) {
            return "-- the function returns rows of other tenants: let it run with the caller's rights\n"
                    + "ALTER FUNCTION " + o.relation() + " SECURITY INVOKER;\n"
                    + "-- or, if it must run as its owner, filter by " + Sql.ident(column) + " = current_setting("
                    + SqlValues.literal(setting) + ", true) inside it, or REVOKE EXECUTE ON FUNCTION " + o.relation()
                    + " FROM PUBLIC, " + app + ";";
        }
        return (cat.serverMajor() >= 15
                        ? "ALTER VIEW " + o.relation() + " SET (security_invoker = true);\n"
                        : "ALTER VIEW " + o.relation() + " OWNER TO <role without BYPASSRLS that does not own "
                                + String.join(", ", o.tables()) + ">;\n")
                + "-- or REVOKE SELECT, INSERT, UPDATE, DELETE ON " + o.relation() + " FROM " + app + ";";
    }
}
