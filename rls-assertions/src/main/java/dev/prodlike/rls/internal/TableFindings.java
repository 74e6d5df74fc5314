package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The findings on a tenant table itself: TRUNCATE granted, row-level security disabled on a table the app role
 * reaches, or not forced on one it owns.
 */
final class TableFindings {

    private final Catalog cat;
    private final String column;
    private final IsolationSql isolation;

    TableFindings(Catalog cat, String column, IsolationSql isolation) {
        this.cat = cat;
        this.column = column;
        this.isolation = isolation;
    }

    /** @return the findings on the table itself (its policies: {@link PolicyFindings}) */
    List<Cause> find(Catalog.Table t) {
        List<Cause> out = new ArrayList<>();
        if (t.truncate()) {
            out.add(Cause.of(
                    new Finding(
                            t.qualified(),
                            LeakClass.TRUNCATE_GRANTED,
                            "has_table_privilege('" + cat.app.name() + "', '" + t.qualified() + "', 'TRUNCATE') = true;"
                                    + " TRUNCATE removes every tenant's rows without consulting policies",
                            t.appOwns()
                                    ? "ALTER TABLE " + t.qualified()
                                            + " OWNER TO <migration owner>;  -- owners may always TRUNCATE"
                                    : "REVOKE TRUNCATE ON " + t.qualified() + " FROM " + Sql.ident(cat.app.name())
                                            + ";",
                            List.of(t.qualified())),
                    Set.of(),
                    Set.of()));
        }
        if (!t.reachable()) {
            return out; // the app role cannot use it directly; views and functions are checked separately
        }
        String kind = t.partition()
                ? "partition of " + String.join(", ", t.parents())
                : !t.parents().isEmpty()
                        ? "inheritance child of " + String.join(", ", t.parents())
                        : t.kind() == 'p' ? "partitioned table" : "table";
        if (!t.rls()) {
            String fix = isolation.statements(t);
            if (!t.parents().isEmpty()) {
                fix += "\n-- or, if the app should reach it only through " + String.join(", ", t.parents()) + ":\n"
                        + "REVOKE ALL ON " + t.qualified() + " FROM " + Sql.ident(cat.app.name()) + ";";
            }
            out.add(Cause.of(
                    new Finding(
                            t.qualified(),
                            LeakClass.RLS_DISABLED,
                            kind + " with column " + column + ", relrowsecurity = false, and " + cat.app.name()
                                    + " has " + t.privileges() + " on it directly",
                            fix,
                            List.of(t.qualified())),
                    Cause.ALL_DYNAMIC,
                    Set.of(t.qualified())));
            return out;
        }
        if (!t.forced() && t.appOwns()) {
            String how = t.ownerOid() == cat.app.oid()
                    ? cat.app.name() + " owns it"
                    : "owner is " + t.owner() + " and " + cat.app.name() + " is a member of " + t.owner()
                            + " (pg_has_role)";
            out.add(Cause.of(
                    new Finding(
                            t.qualified(),
                            LeakClass.RLS_NOT_FORCED,
                            how + "; relrowsecurity = true, relforcerowsecurity = false, so no policy applies to "
                                    + cat.app.name(),
                            "ALTER TABLE " + t.qualified() + " FORCE ROW LEVEL SECURITY;\n"
                                    + "-- better still, let the migration owner own it: ALTER TABLE " + t.qualified()
                                    + " OWNER TO <migration owner>;",
                            List.of(t.qualified())),
                    Cause.ALL_DYNAMIC,
                    Set.of(t.qualified())));
        }
        return out;
    }
}
