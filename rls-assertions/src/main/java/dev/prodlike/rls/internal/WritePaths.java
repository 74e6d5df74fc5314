package dev.prodlike.rls.internal;

import static dev.prodlike.rls.internal.ProbeContext.add;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.LeakClass;
import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Write paths that widen access: a read policy of a tenant table that reads another table (a share, membership or
 * ACL table) trusts whoever can write that table. For each such table the app role can write, acting as tenant A:
 * write a row there (INSERT, or UPDATE of the rows A can reach) whose tenant-typed columns hold A or B in every
 * combination (the values the policy compares), and count B's rows in the guarded table before and after; more
 * afterwards is a leak naming both tables. Each probe is rolled back.
 */
final class WritePaths {

    /** At most this many tenant-typed columns of a helper table get every combination of A and B. */
    private static final int MAX_COLUMNS = 3;

    /** One write to a helper table as {@code actor}, and the counts of {@code target}'s rows around it. */
    record Plan(
            Catalog.PolicyInput input,
            Catalog.Table guarded,
            String actor,
            String target,
            String write,
            List<String> granting,
            int probe) {}

    /** The first write that worked is reported, per guarded table, helper table and kind of write. */
    private record Reported(String guarded, String helper, String kind) {}

    private final ProbeContext ctx;
    private final Evidence evidence;

    WritePaths(ProbeContext ctx, Evidence evidence) {
        this.ctx = ctx;
        this.evidence = evidence;
    }

    List<Plan> plan(List<Probe> batch) {
        List<Plan> out = new ArrayList<>();
        for (Catalog.PolicyInput in : ctx.cat().policyInputs) {
            Catalog.Table t = ctx.cat().tables.get(in.table());
            if (t == null || !t.select() || !(in.insert() || in.update())) {
                continue;
            }
            List<Catalog.HelperColumn> tenantLike = in.columns().stream()
                    .filter(c -> compatible(c.type(), t.tenantType()))
                    .limit(MAX_COLUMNS)
                    .toList();
            if (tenantLike.isEmpty()) {
                continue;
            }
            for (String actor : ctx.tenants()) {
                for (String target : ctx.tenants()) {
                    if (target.equals(actor) || ctx.owner().counts(t.oid()).getOrDefault(target, 0L) == 0) {
                        continue;
                    }
                    for (int mask = 1; mask < 1 << tenantLike.size(); mask++) { // bit set: the column holds B
                        List<String> granting = new ArrayList<>();
                        List<String> values = new ArrayList<>();
                        for (int i = 0; i < tenantLike.size(); i++) {
                            boolean b = (mask & (1 << i)) != 0;
                            values.add(SqlValues.typed(
                                    b ? target : actor, tenantLike.get(i).type()));
                            if (b) {
                                granting.add(tenantLike.get(i).name());
                            }
                        }
                        if (in.insert()) {
                            String insert = insert(in, tenantLike, values);
                            if (insert != null) {
                                out.add(plan(batch, in, t, actor, target, insert, granting));
                            }
                        }
                        if (in.update()) {
                            List<String> sets = new ArrayList<>();
                            for (int i = 0; i < tenantLike.size(); i++) {
                                sets.add(Sql.ident(tenantLike.get(i).name()) + " = " + values.get(i));
                            }
                            out.add(plan(
                                    batch,
                                    in,
                                    t,
                                    actor,
                                    target,
                                    "UPDATE " + in.helper() + " SET " + String.join(", ", sets),
                                    granting));
                        }
                    }
                }
            }
        }
        return out;
    }

    private Plan plan(
            List<Probe> batch,
            Catalog.PolicyInput in,
            Catalog.Table t,
            String actor,
            String target,
            String write,
            List<String> granting) {
        String count = ctx.ownCount(t.qualified(), target);
        int id = add(batch, actor, Step.query(count), Step.write(write), Step.query(count));
        return new Plan(in, t, actor, target, write, granting, id);
    }

    /** @return an INSERT into the helper table: the tenant-typed columns set, the others from the owner's row */
    private String insert(Catalog.PolicyInput in, List<Catalog.HelperColumn> tenantLike, List<String> values) {
        List<String> template = ctx.owner().helperTemplates().get(in.helperOid());
        List<String> names = new ArrayList<>();
        List<String> row = new ArrayList<>();
        for (int i = 0; i < in.columns().size(); i++) {
            Catalog.HelperColumn c = in.columns().get(i);
            int k = tenantLike.indexOf(c);
            if (k >= 0) {
                names.add(Sql.ident(c.name()));
                row.add(values.get(k));
            } else if (template != null && template.get(i) != null && !c.optional()) {
                names.add(Sql.ident(c.name()));
                row.add(SqlValues.typed(template.get(i), c.type()));
            } else if (!c.optional()) {
                return null; // a required column without a value to copy
            }
        }
        return "INSERT INTO " + in.helper() + " (" + String.join(", ", names) + ") VALUES (" + String.join(", ", row)
                + ")";
    }

    private static boolean compatible(String column, String tenant) {
        return column.equals(tenant) || (textual(column) && textual(tenant));
    }

    private static boolean textual(String type) {
        return type.equals("text") || type.startsWith("character varying") || type.equals("citext");
    }

    void judge(List<Plan> plans, List<Outcome> out) {
        Set<Reported> reported = new HashSet<>();
        for (Plan p : plans) {
            Outcome o = out.get(p.probe());
            if (!o.ok() || o.count(2) <= o.count(0)) {
                continue;
            }
            String kind = p.write().startsWith("INSERT") ? "INSERT" : "UPDATE";
            if (!reported.add(new Reported(p.guarded().qualified(), p.input().helper(), kind))) {
                continue;
            }
            String t = p.guarded().qualified();
            evidence.add(new Observed(
                    t,
                    LeakClass.ACCESS_WIDENED_BY_WRITE,
                    "policy " + p.input().policy() + " on "
                            + t + " reads " + p.input().helper() + ", which "
                            + ctx.cat().app.name() + " can write; as"
                            + " tenant " + p.actor() + ": " + ctx.ownCount(t, p.target()) + " returned " + o.count(0)
                            + ", then " + p.write() + " (" + (kind.equals("INSERT") ? "accepted" : o.count(1) + " rows")
                            + "), then it returned " + o.count(2) + ": tenant " + p.actor() + " gave itself tenant "
                            + p.target() + "'s rows",
                    List.of(t, p.input().helper()),
                    fix(p)));
        }
    }

    private String fix(Plan p) {
        String helper = p.input().helper();
        String app = Sql.ident(ctx.cat().app.name());
        String current = "current_setting(" + SqlValues.literal(ctx.setting()) + ", true)";
        List<String> checks = new ArrayList<>();
        for (String c : p.granting()) {
            checks.add(Sql.ident(c) + " = " + current);
        }
        String check = String.join(" AND ", checks);
        return "-- the rows of " + helper + " grant access to " + p.guarded().qualified() + ": let a tenant write only"
                + " rows that grant its own (with RLS enabled on " + helper + ")\n"
                + "CREATE POLICY \"grants_own_rows_insert\" ON " + helper + " AS RESTRICTIVE FOR INSERT TO " + app
                + " WITH CHECK (" + check + ");\n"
                + "CREATE POLICY \"grants_own_rows_update\" ON " + helper + " AS RESTRICTIVE FOR UPDATE TO " + app
                + " USING (" + check + ") WITH CHECK (" + check + ");\n"
                + "-- or, if the app needs no such write: REVOKE INSERT, UPDATE ON " + helper + " FROM " + app + ";";
    }
}
