package dev.prodlike.rls.internal;

import static dev.prodlike.rls.internal.ProbeContext.add;

import dev.prodlike.rls.LeakClass;
import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probes of tenant tables: planned into a batch as the app role acting as each tenant, then judged from their
 * outcomes. Reads, UPDATE and DELETE without WHERE, INSERT for another tenant, moves to another tenant, writes to
 * shared rows, and reads with no tenant set.
 */
final class TableProbes {

    /** The probes planned for one table and one acting tenant: indexes into the batch, -1 when not planned. */
    record Plan(
            Catalog.Table table,
            String actor,
            int read,
            int update,
            int delete,
            int claimShared,
            int touchShared,
            int deleteShared,
            int insertShared,
            Map<String, Integer> inserts,
            Map<String, Integer> moves) {}

    /** The reads of one table with the tenant setting never set and set to {@code ''}. */
    record WithoutTenant(Catalog.Table table, int unset, int empty) {}

    private final ProbeContext ctx;
    private final Evidence evidence;

    TableProbes(ProbeContext ctx, Evidence evidence) {
        this.ctx = ctx;
        this.evidence = evidence;
    }

    // ---- planning

    /** @return per table (in the order given) the reads with the setting never set, then set to '' */
    List<WithoutTenant> planWithoutTenant(List<Probe> batch, List<Catalog.Table> tables) {
        List<Integer> unset = new ArrayList<>();
        for (Catalog.Table t : tables) { // first: nothing set yet
            unset.add(add(batch, null, Step.query(ctx.countTenantRows(t))));
        }
        List<WithoutTenant> out = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            out.add(new WithoutTenant(
                    tables.get(i), unset.get(i), add(batch, "", Step.query(ctx.countTenantRows(tables.get(i))))));
        }
        return out;
    }

    Plan plan(List<Probe> batch, Catalog.Table t, String actor) {
        String q = t.qualified();
        String col = ctx.col();
        String me = SqlValues.typed(actor, t.tenantType());
        SharedRows shared = ctx.shared(t);
        long owned = ctx.owner().counts(t.oid()).getOrDefault(actor, 0L);
        boolean sharedVisible = shared.any() && ctx.owner().shared(t.oid()) > 0 && t.select();
        int read = t.select() ? add(batch, actor, Step.query(ctx.groupByTenant(q))) : -1;
        int update = t.update() ? add(batch, actor, Step.write("UPDATE " + q + " SET " + col + " = " + me)) : -1;
        int delete = t.delete() ? add(batch, actor, Step.write("DELETE FROM " + q)) : -1;
        String sharedRows = " WHERE " + shared.predicate(ctx.column());
        int claim = sharedVisible && t.update()
                ? add(batch, actor, Step.write("UPDATE " + q + " SET " + col + " = " + me + sharedRows))
                : -1;
        int touch = sharedVisible && t.update()
                ? add(batch, actor, Step.write("UPDATE " + q + " SET " + col + " = " + col + sharedRows))
                : -1;
        int deleteShared =
                sharedVisible && t.delete() ? add(batch, actor, Step.write("DELETE FROM " + q + sharedRows)) : -1;
        String insertShared = shared.any() && t.insert() ? ctx.insert(t, shared.newRowValue()) : null;
        int insShared = insertShared == null ? -1 : add(batch, actor, withOwnCount(t, actor, insertShared));
        Map<String, Integer> inserts = new LinkedHashMap<>();
        Map<String, Integer> moves = new LinkedHashMap<>();
        for (String target : ctx.tenants()) {
            if (target.equals(actor)) {
                continue;
            }
            String insert = t.insert() ? ctx.insert(t, target) : null;
            if (insert != null) {
                inserts.put(target, add(batch, actor, withOwnCount(t, actor, insert)));
            }
            if (t.update() && owned > 0) {
                moves.put(target, add(batch, actor, withOwnCount(t, actor, move(t, target))));
            }
        }
        return new Plan(t, actor, read, update, delete, claim, touch, deleteShared, insShared, inserts, moves);
    }

    private Step[] withOwnCount(Catalog.Table t, String actor, String write) {
        return t.select()
                ? new Step[] {Step.write(write), Step.query(ctx.ownCount(t.qualified(), actor))}
                : new Step[] {Step.write(write)};
    }

    /**
     * The move of every row the actor may update to {@code target}, without WHERE. A WHERE on a column needs SELECT
     * rights, and then the SELECT policies check the new rows too, so a move with one cannot show an UPDATE policy
     * whose WITH CHECK lets rows go to another tenant; whatever a move with {@code WHERE <column> = actor} shows, this
     * one shows as well (other rows the actor may update only add rows to it, or an error after the RLS check, which
     * is evidence too). Until issue 24's round a second move with that WHERE ran beside it: it was a fifth of the
     * probes of the 100-table benchmark and caught nothing of the corpus this one did not.
     */
    private String move(Catalog.Table t, String target) {
        return "UPDATE " + t.qualified() + " SET " + ctx.col() + " = " + SqlValues.typed(target, t.tenantType());
    }

    String narrowDelete(Catalog.Table t, String actor) {
        return "DELETE FROM " + t.qualified() + " WHERE " + ctx.col() + "::text <> " + SqlValues.literal(actor);
    }

    // ---- judging

    void judgeWithoutTenant(List<WithoutTenant> probes, List<Outcome> out) {
        for (WithoutTenant w : probes) {
            judgeWithoutTenant(w.table(), out.get(w.unset()), "tenant setting never set");
            judgeWithoutTenant(w.table(), out.get(w.empty()), ctx.setting() + " set to ''");
        }
    }

    private void judgeWithoutTenant(Catalog.Table t, Outcome o, String state) {
        if (o.ok() && o.count(0) > 0) {
            evidence.table(
                    t,
                    LeakClass.VISIBLE_WITHOUT_TENANT,
                    state + ": " + ctx.countTenantRows(t) + " returned " + o.count(0) + " (owner sees "
                            + ctx.owner().counts(t.oid()) + ")");
        }
    }

    void judge(Plan p, List<Outcome> out, Outcome narrowDelete) {
        long visibleOwn = judgeRead(p, out);
        long sharedWritten = judgeSharedWrites(p, out, visibleOwn);
        judgeUpdate(p, out, sharedWritten);
        judgeDelete(p, out, sharedWritten, narrowDelete);
        p.inserts().forEach((target, id) -> judgeInsert(p, target, out.get(id), visibleOwn));
        p.moves().forEach((target, id) -> judgeMove(p, target, out.get(id), visibleOwn));
    }

    /** @return the rows of its own the actor sees, or -1 when it cannot read the table */
    private long judgeRead(Plan p, List<Outcome> out) {
        if (p.read() < 0 || !out.get(p.read()).ok()) {
            return -1;
        }
        Catalog.Table t = p.table();
        Map<String, Long> seen = ProbeContext.decode(out.get(p.read()).value(0));
        if (!ProbeContext.foreign(seen, p.actor(), ctx.shared(t)).isEmpty()) {
            evidence.table(
                    t,
                    LeakClass.CROSS_TENANT_READ,
                    "as tenant " + p.actor() + ": SELECT " + ctx.col()
                            + ", count(*) FROM " + t.qualified() + " GROUP BY 1 returned " + ProbeContext.show(seen)
                            + "; owner sees " + ctx.owner().counts(t.oid()));
        }
        return seen.getOrDefault(p.actor(), 0L);
    }

    /** @return how many shared rows the actor could change or delete (0 when none) */
    private long judgeSharedWrites(Plan p, List<Outcome> out, long visibleOwn) {
        Catalog.Table t = p.table();
        String q = t.qualified();
        String col = ctx.col();
        String sharedRows = ctx.shared(t).predicate(ctx.column());
        long written = 0;
        if (p.claimShared() >= 0) {
            Outcome claim = out.get(p.claimShared());
            Outcome touch = out.get(p.touchShared());
            if (claim.ok() && claim.count(0) > 0) {
                written = claim.count(0);
                evidence.table(
                        t,
                        LeakClass.SHARED_ROW_WRITE,
                        "as tenant " + p.actor() + ": UPDATE " + q + " SET "
                                + col + " = " + SqlValues.literal(p.actor()) + " WHERE " + sharedRows + " took "
                                + claim.count(0) + " shared rows (every tenant reads them; owner sees "
                                + ctx.owner().shared(t.oid()) + ")");
            } else if (touch.ok() && touch.count(0) > 0) {
                written = touch.count(0);
                evidence.table(
                        t,
                        LeakClass.SHARED_ROW_WRITE,
                        "as tenant " + p.actor() + ": UPDATE " + q + " SET " + col + " = " + col + " WHERE "
                                + sharedRows + " changed " + touch.count(0) + " shared rows");
            }
        }
        if (p.deleteShared() >= 0) {
            Outcome del = out.get(p.deleteShared());
            if (del.ok() && del.count(0) > 0) {
                written = Math.max(written, del.count(0));
                evidence.table(
                        t,
                        LeakClass.SHARED_ROW_WRITE,
                        "as tenant " + p.actor() + ": DELETE FROM " + q + " WHERE " + sharedRows + " deleted "
                                + del.count(0) + " shared rows");
            }
        }
        if (p.insertShared() >= 0) {
            Outcome ins = out.get(p.insertShared());
            boolean stamped = ins.ok() && t.select() && visibleOwn >= 0 && ins.count(1) == visibleOwn + 1;
            if ((ins.ok() && !stamped) || ins.passedRls()) {
                evidence.table(
                        t,
                        LeakClass.SHARED_ROW_WRITE,
                        "as tenant " + p.actor() + ": "
                                + ctx.insert(t, ctx.shared(t).newRowValue()) + " "
                                + (ins.ok()
                                        ? "was accepted: a row every tenant reads"
                                        : "passed the row-level security check and failed only on " + ins.error()));
            }
        }
        return written;
    }

    private void judgeUpdate(Plan p, List<Outcome> out, long sharedWritten) {
        if (p.update() < 0) {
            return;
        }
        Catalog.Table t = p.table();
        Outcome upd = out.get(p.update());
        long owned = owned(p);
        if (upd.ok() && upd.count(0) > owned + sharedWritten) {
            evidence.table(
                    t,
                    LeakClass.CROSS_TENANT_UPDATE,
                    "as tenant " + p.actor() + ": UPDATE " + t.qualified()
                            + " SET " + ctx.col() + " = " + SqlValues.typed(p.actor(), t.tenantType())
                            + " (no WHERE) changed "
                            + upd.count(0) + " rows; tenant " + p.actor() + " owns " + owned
                            + sharedNote(t, sharedWritten)
                            + "; owner sees " + ctx.owner().counts(t.oid()));
        }
    }

    private void judgeDelete(Plan p, List<Outcome> out, long sharedWritten, Outcome narrow) {
        if (p.delete() < 0) {
            return;
        }
        Catalog.Table t = p.table();
        Outcome del = out.get(p.delete());
        long owned = owned(p);
        if (del.ok() && del.count(0) > owned + sharedWritten) {
            evidence.table(
                    t,
                    LeakClass.CROSS_TENANT_DELETE,
                    "as tenant " + p.actor() + ": DELETE FROM "
                            + t.qualified() + " (no WHERE) deleted " + del.count(0) + " rows; tenant " + p.actor()
                            + " owns "
                            + owned + sharedNote(t, sharedWritten) + "; owner sees "
                            + ctx.owner().counts(t.oid()));
        } else if (narrow != null) { // a foreign key (say) stopped it: only other tenants' rows were tried
            if ((narrow.ok() && narrow.count(0) > 0) || narrow.passedRls()) {
                evidence.table(
                        t,
                        LeakClass.CROSS_TENANT_DELETE,
                        "as tenant " + p.actor() + ": "
                                + narrowDelete(t, p.actor()) + " "
                                + (narrow.ok()
                                        ? "deleted " + narrow.count(0) + " rows"
                                        : "reached other tenants' rows and failed only on " + narrow.error())
                                + "; owner sees "
                                + ctx.owner().counts(t.oid()));
            }
        }
    }

    private void judgeInsert(Plan p, String target, Outcome ins, long visibleOwn) {
        Catalog.Table t = p.table();
        boolean stampedAsActor = ins.ok() && t.select() && visibleOwn >= 0 && ins.count(1) == visibleOwn + 1;
        if ((ins.ok() && !stampedAsActor) || ins.passedRls()) {
            evidence.table(
                    t,
                    LeakClass.CROSS_TENANT_INSERT,
                    "as tenant " + p.actor() + ": " + ctx.insert(t, target)
                            + " (no RETURNING) "
                            + (ins.ok()
                                    ? "was accepted"
                                    : "passed the row-level security check and failed only on " + ins.error()));
        }
    }

    private void judgeMove(Plan p, String target, Outcome mv, long visibleOwn) {
        Catalog.Table t = p.table();
        boolean moved = mv.ok() && mv.count(0) > 0 && (!t.select() || visibleOwn < 0 || mv.count(1) < visibleOwn);
        if (moved || mv.passedRls()) {
            evidence.table(
                    t,
                    LeakClass.TENANT_REASSIGNMENT,
                    "as tenant " + p.actor() + ": "
                            + move(t, target) + " "
                            + (mv.ok()
                                    ? "moved "
                                            + (t.select() && visibleOwn >= 0 ? visibleOwn - mv.count(1) : mv.count(0))
                                            + " of "
                                            + p.actor() + "'s rows to " + target
                                    : "passed the row-level security check and failed only on " + mv.error()));
        }
    }

    private long owned(Plan p) {
        return ctx.owner().counts(p.table().oid()).getOrDefault(p.actor(), 0L);
    }

    private String sharedNote(Catalog.Table t, long sharedWritten) {
        return ctx.owner().shared(t.oid()) == 0
                ? ""
                : " and could write " + sharedWritten + " of " + ctx.owner().shared(t.oid()) + " shared rows";
    }
}
