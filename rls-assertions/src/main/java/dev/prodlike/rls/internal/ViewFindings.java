package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The findings on views: definer views and materialized views that expose tenant rows to the app role. */
final class ViewFindings {

    private final Catalog cat;
    private final String column;
    private final String setting;

    ViewFindings(Catalog cat, String column, String setting) {
        this.cat = cat;
        this.column = column;
        this.setting = setting;
    }

    /** Definer views and materialized views that expose tenant rows to the app role. */
    List<Cause> find() throws SQLException {
        List<Cause> out = new ArrayList<>();
        Map<Long, Catalog.View> byOid = new HashMap<>();
        for (Catalog.View v : cat.views) {
            byOid.put(v.oid(), v);
        }
        // exposure: view -> tenant tables whose rows it returns without the session's policies
        Map<Long, Map<String, String>> exposes = new HashMap<>();
        boolean changed = true;
        for (int round = 0; changed && round < 20; round++) {
            changed = false;
            for (Catalog.View v : cat.views) {
                Map<String, String> e = exposes.computeIfAbsent(v.oid(), k -> new LinkedHashMap<>());
                for (long dep : v.dependsOn()) {
                    Catalog.Table t = cat.tables.get(dep);
                    if (t != null && !e.containsKey(t.qualified())) {
                        String reason = v.kind() == 'm'
                                ? "materialized from " + t.qualified()
                                : v.securityInvoker() ? null : cat.bypassReason(v.ownerOid(), t);
                        if (reason != null) {
                            e.put(t.qualified(), reason);
                            changed = true;
                        }
                    }
                    Catalog.View inner = byOid.get(dep);
                    if (inner != null) {
                        for (Map.Entry<String, String> x :
                                exposes.getOrDefault(dep, Map.of()).entrySet()) {
                            if (!e.containsKey(x.getKey())) {
                                e.put(x.getKey(), "through " + inner.qualified() + ": " + x.getValue());
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
        for (Catalog.View v : cat.views) {
            Map<String, String> e = exposes.getOrDefault(v.oid(), Map.of());
            List<String> paths = paths(v);
            if (paths.isEmpty() || e.isEmpty()) {
                continue;
            }
            String app = Sql.ident(cat.app.name());
            List<String> tables = new ArrayList<>(e.keySet());
            String reasons = e.entrySet().stream()
                    .map(x -> x.getKey() + " (" + x.getValue() + ")")
                    .collect(Collectors.joining(", "));
            if (v.kind() == 'm') {
                out.add(Cause.of(
                        new Finding(
                                v.qualified(),
                                LeakClass.MATERIALIZED_VIEW,
                                "materialized view owned by " + v.owner() + ", readable by " + cat.app.name()
                                        + ", holds rows of " + reasons
                                        + "; materialized views have no row-level security",
                                "REVOKE SELECT ON " + v.qualified() + " FROM " + app + ";\n"
                                        + "-- or serve it through a view that filters by tenant, e.g. CREATE VIEW ... WITH"
                                        + " (security_invoker = true) AS SELECT * FROM " + v.qualified() + " WHERE "
                                        + Sql.ident(column) + " = current_setting(" + SqlValues.literal(setting)
                                        + ", true);",
                                tables),
                        Cause.ALL_DYNAMIC,
                        Set.of(v.qualified())));
                continue;
            }
            List<String> writes =
                    paths.stream().filter(x -> !x.equals("SELECT")).toList();
            String fix = (cat.serverMajor() >= 15
                            ? "ALTER VIEW " + v.qualified() + " SET (security_invoker = true);"
                            : "-- PostgreSQL 14 has no security_invoker: let a role that does not bypass RLS own it\n"
                                    + "ALTER VIEW " + v.qualified()
                                    + " OWNER TO <role without BYPASSRLS that does not own "
                                    + String.join(", ", tables) + ">;  -- and FORCE ROW LEVEL SECURITY on those tables")
                    + "\n-- or, if it must run as its owner: REVOKE " + String.join(", ", paths) + " ON "
                    + v.qualified()
                    + " FROM " + app + ";";
            out.add(Cause.of(
                    new Finding(
                            v.qualified(),
                            LeakClass.DEFINER_VIEW,
                            "view owned by " + v.owner() + ", on which " + cat.app.name() + " has "
                                    + String.join(", ", paths)
                                    + (cat.serverMajor() >= 15 ? ", without security_invoker" : "")
                                    + ", runs with its owner's rights over " + reasons
                                    + (writes.isEmpty()
                                            ? ""
                                            : "; " + String.join(", ", writes)
                                                    + (writes.size() == 1 ? " reaches" : " reach")
                                                    + " the table with those rights ("
                                                    + (v.ownerWrites().isEmpty()
                                                            ? ""
                                                            : "auto-updatable view or INSTEAD rule")
                                                    + "), so a tenant writes rows of any tenant"),
                            fix,
                            tables),
                    Cause.ALL_DYNAMIC,
                    Set.of(v.qualified())));
        }
        return out;
    }

    /** @return the app role's privileges on the view that run with the view's rights: reads, and owner-rights writes */
    private static List<String> paths(Catalog.View v) {
        List<String> out = new ArrayList<>();
        if (v.appSelect()) {
            out.add("SELECT");
        }
        if (v.kind() == 'v') {
            for (Command cmd : new Command[] {Command.INSERT, Command.UPDATE, Command.DELETE}) {
                if (v.appWrites(cmd) && v.ownerWrites().contains(cmd)) {
                    out.add(cmd.name());
                }
            }
        }
        return out;
    }
}
