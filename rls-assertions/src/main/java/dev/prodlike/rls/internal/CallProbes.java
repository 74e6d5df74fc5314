package dev.prodlike.rls.internal;

import static dev.prodlike.rls.internal.ProbeContext.add;

import dev.prodlike.rls.LeakClass;
import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The probes of views and set-returning functions the app role can use: reads as each tenant, and writes through
 * views (INSERT for another tenant, UPDATE and DELETE without WHERE), planned into a batch and judged.
 */
final class CallProbes {

    /** Who acts, and the other tenant the probe names (null where it names none). */
    record Pair(String actor, String target) {}

    /**
     * The probes planned for one view or function, as indexes into the batch.
     *
     * @param owned  rows per tenant in the tables under a view (as the owner sees them)
     * @param shared shared rows in the tables under a view
     */
    record Plan(
            String relation,
            List<String> tables,
            String what,
            Map<Pair, Integer> reads,
            Map<Pair, Integer> inserts,
            Map<String, Integer> updates,
            Map<String, Integer> deletes,
            Map<String, Long> owned,
            long shared) {}

    private final ProbeContext ctx;
    private final Evidence evidence;

    CallProbes(ProbeContext ctx, Evidence evidence) {
        this.ctx = ctx;
        this.evidence = evidence;
    }

    List<Plan> plan(List<Probe> batch) {
        List<Plan> out = new ArrayList<>();
        for (Catalog.View v : ctx.cat().views) {
            List<Catalog.Table> base = baseTables(v);
            if (!v.reachable() || base.isEmpty()) {
                continue;
            }
            out.add(planView(batch, v, base));
        }
        for (Catalog.TableFunction f : ctx.cat().tableFunctions) {
            out.add(planFunction(batch, f));
        }
        return out;
    }

    /** @return the tenant tables under a view, through the views it reads */
    List<Catalog.Table> baseTables(Catalog.View v) {
        Map<Long, Catalog.View> views = new LinkedHashMap<>();
        ctx.cat().views.forEach(x -> views.put(x.oid(), x));
        return baseTables(v, views, new LinkedHashSet<>());
    }

    private List<Catalog.Table> baseTables(Catalog.View v, Map<Long, Catalog.View> views, Set<Long> seen) {
        List<Catalog.Table> out = new ArrayList<>();
        if (!seen.add(v.oid())) {
            return out;
        }
        for (long dep : v.dependsOn()) {
            Catalog.Table t = ctx.cat().tables.get(dep);
            if (t != null) {
                out.add(t);
            } else if (views.containsKey(dep)) {
                out.addAll(baseTables(views.get(dep), views, seen));
            }
        }
        return out;
    }

    private Plan planView(List<Probe> batch, Catalog.View v, List<Catalog.Table> base) {
        String q = v.qualified();
        String col = ctx.col();
        Map<Pair, Integer> reads = new LinkedHashMap<>();
        Map<Pair, Integer> inserts = new LinkedHashMap<>();
        Map<String, Integer> updates = new LinkedHashMap<>();
        Map<String, Integer> deletes = new LinkedHashMap<>();
        boolean tenantColumn = v.tenantType() != null;
        List<String> template = ctx.owner().viewTemplates().get(v.oid());
        for (String actor : ctx.tenants()) {
            if (v.appSelect() && tenantColumn) {
                reads.put(new Pair(actor, null), add(batch, actor, Step.query(ctx.groupByTenant(q))));
            }
            if (v.appUpdate() && tenantColumn && v.kind() == 'v') {
                updates.put(
                        actor,
                        add(
                                batch,
                                actor,
                                Step.write("UPDATE " + q + " SET " + col + " = "
                                        + SqlValues.typed(actor, v.tenantType()))));
            }
            if (v.appDelete() && v.kind() == 'v') {
                deletes.put(actor, add(batch, actor, Step.write("DELETE FROM " + q)));
            }
            if (v.appInsert() && tenantColumn && v.kind() == 'v') {
                for (String target : ctx.tenants()) {
                    if (!target.equals(actor)) {
                        String insert = template == null
                                ? "INSERT INTO " + q + " (" + col + ") VALUES ("
                                        + SqlValues.typed(target, v.tenantType()) + ")"
                                : ctx.insert(q, v.insertColumns(), template, target, v.tenantType());
                        Step[] steps = v.appSelect() // own rows before and after: a trigger may stamp the actor
                                ? new Step[] {
                                    Step.query(ctx.ownCount(q, actor)),
                                    Step.write(insert),
                                    Step.query(ctx.ownCount(q, actor))
                                }
                                : new Step[] {Step.write(insert)};
                        inserts.put(new Pair(actor, target), add(batch, actor, steps));
                    }
                }
            }
        }
        Map<String, Long> owned = new LinkedHashMap<>();
        long shared = 0;
        for (Catalog.Table t : base) {
            for (String tenant : ctx.tenants()) {
                owned.merge(tenant, ctx.owner().counts(t.oid()).getOrDefault(tenant, 0L), Long::sum);
            }
            shared += ctx.owner().shared(t.oid());
        }
        return new Plan(
                q,
                base.stream().map(Catalog.Table::qualified).distinct().toList(),
                (v.kind() == 'm' ? "materialized view " : "view ") + q,
                reads,
                inserts,
                updates,
                deletes,
                owned,
                shared);
    }

    private Plan planFunction(List<Probe> batch, Catalog.TableFunction f) {
        Map<Pair, Integer> reads = new LinkedHashMap<>();
        for (String actor : ctx.tenants()) {
            if (!f.tenantArgument()) {
                reads.put(
                        new Pair(actor, null), add(batch, actor, Step.query(ctx.groupByTenant(f.qualified() + "()"))));
                continue;
            }
            for (String target : ctx.tenants()) {
                if (!target.equals(actor)) {
                    reads.put(
                            new Pair(actor, target),
                            add(
                                    batch,
                                    actor,
                                    Step.query(
                                            ctx.groupByTenant(f.qualified() + "(" + SqlValues.literal(target) + ")"))));
                }
            }
        }
        return new Plan(
                f.signature(),
                List.of(),
                "function " + f.signature(),
                reads,
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                0);
    }

    void judge(Plan cp, List<Outcome> out) {
        SharedRows none = new SharedRows(true, List.of());
        cp.reads().forEach((pair, id) -> {
            Outcome o = out.get(id);
            if (!o.ok()) {
                return;
            }
            Map<String, Long> seen = ProbeContext.decode(o.value(0));
            if (!ProbeContext.foreign(seen, pair.actor(), sharedUnder(cp, none)).isEmpty()) {
                String call = pair.target() == null ? "" : " called with " + SqlValues.literal(pair.target());
                report(
                        cp,
                        LeakClass.CROSS_TENANT_READ,
                        "as tenant " + pair.actor() + ": rows of " + cp.what() + call + " per " + ctx.column() + ": "
                                + ProbeContext.show(seen));
            }
        });
        cp.inserts().forEach((pair, id) -> {
            Outcome o = out.get(id);
            boolean stampedAsActor = o.ok() && o.values().size() == 3 && o.count(2) == o.count(0) + 1;
            if ((o.ok() && !stampedAsActor) || o.passedRls()) {
                report(
                        cp,
                        LeakClass.CROSS_TENANT_INSERT,
                        "as tenant " + pair.actor() + ": an INSERT into " + cp.what()
                                + " of a row for tenant " + pair.target() + " (rolled back) "
                                + (o.ok()
                                        ? "was accepted"
                                        : "passed the row-level security check and failed only on " + o.error()));
            }
        });
        judgeWrites(
                cp,
                cp.updates(),
                out,
                LeakClass.CROSS_TENANT_UPDATE,
                "UPDATE " + cp.relation() + " SET " + ctx.col() + " = <tenant> (no WHERE) changed ");
        judgeWrites(
                cp,
                cp.deletes(),
                out,
                LeakClass.CROSS_TENANT_DELETE,
                "DELETE FROM " + cp.relation() + " (no WHERE) deleted ");
    }

    /** @return the shared rows of the tables under a view (NULL, and the constants their policies admit) */
    private SharedRows sharedUnder(Plan cp, SharedRows none) {
        List<String> values = new ArrayList<>();
        for (Catalog.Table t : ctx.cat().tables.values()) {
            if (cp.tables().contains(t.qualified())) {
                values.addAll(ctx.shared(t).values());
            }
        }
        return values.isEmpty() ? none : new SharedRows(true, values);
    }

    private void judgeWrites(Plan cp, Map<String, Integer> probes, List<Outcome> out, LeakClass leak, String did) {
        probes.forEach((actor, id) -> {
            Outcome o = out.get(id);
            long own = cp.owned().getOrDefault(actor, 0L);
            if (o.ok() && o.count(0) > own + cp.shared()) {
                report(
                        cp,
                        leak,
                        "as tenant " + actor + ": " + did + o.count(0) + " rows; tenant " + actor
                                + " owns " + own + (cp.shared() > 0 ? " (and " + cp.shared() + " shared rows)" : "")
                                + " in "
                                + String.join(", ", cp.tables()));
            }
        });
    }

    private void report(Plan cp, LeakClass leak, String line) {
        evidence.add(new Observed(cp.relation(), leak, line, cp.tables()));
    }
}
