package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The findings on functions: SECURITY DEFINER functions the app role can call that read tenant tables with a
 * bypassing owner, and user-defined LEAKPROOF functions.
 */
final class FunctionFindings {

    private final Catalog cat;

    FunctionFindings(Catalog cat) {
        this.cat = cat;
    }

    /** SECURITY DEFINER functions that read tenant tables with a bypassing owner; user-defined LEAKPROOF functions. */
    List<Cause> find() throws SQLException {
        List<Cause> out = new ArrayList<>();
        String app = Sql.ident(cat.app.name());
        for (Catalog.Function f : cat.functions) {
            if (f.leakproof()) {
                out.add(Cause.of(
                        new Finding(
                                f.signature(),
                                LeakClass.LEAKPROOF_FUNCTION,
                                "pg_proc.proleakproof = true for user-defined " + f.signature() + " (owner " + f.owner()
                                        + "); the planner may call it on rows that policies would filter out, so anything"
                                        + " it raises or logs can reveal other tenants' values",
                                "ALTER FUNCTION " + f.signature() + " NOT LEAKPROOF;",
                                List.of()),
                        Set.of(),
                        Set.of()));
            }
            if (!f.securityDefiner() || !f.appExecute()) {
                continue;
            }
            Map<String, String> reads = new LinkedHashMap<>();
            String body = f.definition() == null ? "" : f.definition().toLowerCase(Locale.ROOT);
            for (Catalog.Table t : cat.tables.values()) {
                boolean mentioned = f.dependsOn().contains(t.oid())
                        || Pattern.compile("(?<![\\w$])("
                                        + Pattern.quote(t.schema().toLowerCase(Locale.ROOT)) + "\\s*\\.\\s*)?\"?"
                                        + Pattern.quote(t.name().toLowerCase(Locale.ROOT)) + "\"?(?![\\w$])")
                                .matcher(body)
                                .find();
                if (mentioned) {
                    String reason = cat.bypassReason(f.ownerOid(), t);
                    if (reason != null) {
                        reads.put(t.qualified(), reason);
                    }
                }
            }
            if (reads.isEmpty()) {
                continue;
            }
            Set<String> through = new LinkedHashSet<>();
            through.add(f.signature());
            cat.views.stream()
                    .filter(v -> v.triggerFunctions().contains(f.oid()))
                    .forEach(v -> through.add(v.qualified()));
            out.add(Cause.of(
                    new Finding(
                            f.signature(),
                            LeakClass.SECURITY_DEFINER_FUNCTION,
                            "SECURITY DEFINER function owned by " + f.owner() + ", executable by " + cat.app.name()
                                    + ", reads "
                                    + reads.entrySet().stream()
                                            .map(x -> x.getKey() + " (" + x.getValue() + ")")
                                            .collect(Collectors.joining(", ")),
                            "ALTER FUNCTION " + f.signature() + " SECURITY INVOKER;\n"
                                    + "-- or, if it must run as its owner: REVOKE EXECUTE ON FUNCTION " + f.signature()
                                    + " FROM PUBLIC, " + app + ";",
                            new ArrayList<>(reads.keySet())),
                    Cause.ALL_DYNAMIC,
                    through));
        }
        return out;
    }
}
