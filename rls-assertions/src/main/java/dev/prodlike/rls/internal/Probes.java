package dev.prodlike.rls.internal;

import dev.prodlike.rls.LeakClass;
import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.FutureTask;

/**
 * The dynamic checks: statements run as the app role, each probe in a subtransaction that is rolled back. The
 * audit plans every probe first, runs them in a few round trips ({@link ProbeBatch}), then judges the outcomes.
 */
final class Probes {

    /** Tenant tables from which the table probes run on two connections (fewer: one connection is quicker). */
    static int parallelFrom = 20;
    /**
     * The server time of the checks outside a transaction ({@code DISCARD ALL}, a pool of one), per readable table,
     * in probes: about three (measured on a first audit of 100 tables: 20-27 ms against 0.1 ms a probe). With two
     * connections the second runs them before its probes, so it takes that many fewer probes and both end together.
     */
    private static final int OUTSIDE_TRANSACTION_PROBES = 3;
    /** How long a probe on the second connection waits for a lock the first connection's probe holds. */
    static final String LOCK_TIMEOUT = "20ms";

    /** The time budget of the view and function probes (they run user code of unknown cost). */
    static final String CALL_BUDGET = "10s";

    /** The owner's view of the data: rows per tenant and shared (NULL-tenant) rows per relation, insert templates. */
    record OwnerData(Map<Long, Map<String, Long>> counts, Map<Long, Long> shared, Map<Long, List<String>> templates,
                     Map<Long, List<String>> viewTemplates) {

        Map<String, Long> counts(long oid) {
            return counts.getOrDefault(oid, Map.of());
        }

        long shared(long oid) {
            return shared.getOrDefault(oid, 0L);
        }
    }

    /** The probes planned for one table and one acting tenant: indexes into the batch, -1 when not planned. */
    private record TableProbes(Catalog.Table table, String actor, int read, int update, int delete, int claimShared, int touchShared, int deleteShared, int insertShared,
                               Map<String, Integer> inserts, Map<String, int[]> moves) {
    }

    /** The probes planned for one view or function: per actor (and target), indexes into the batch. */
    private record CallProbes(String relation, List<String> tables, String what, Map<String, Integer> reads,
                              Map<String, Integer> inserts, Map<String, Integer> updates, Map<String, Integer> deletes,
                              long[] owned) {
    }

    private final Catalog cat;
    private final String column;
    private final String setting;
    private final OwnerData owner;
    private final List<String> tenants;
    private final List<Observed> observed = new ArrayList<>();

    Probes(Catalog cat, String column, String setting, OwnerData owner, List<String> tenants) {
        this.cat = cat;
        this.column = column;
        this.setting = setting;
        this.owner = owner;
        this.tenants = tenants;
    }

    /**
     * @param c      an app-role connection the caller closes
     * @param second a second app-role connection being opened (the caller closes it), for the second half of the
     *               table probes; null, or failing to open, to run them all on {@code c}
     * @param sent   called when the table probes are planned and go to the server
     * @param ran    called when the last probe has run (the judging follows), so sequences can be restored meanwhile
     */
    List<Observed> run(Connection c, FutureTask<Connection> second, Runnable sent, Runnable ran)
            throws SQLException {
        List<Catalog.Table> probed = cat.tables.values().stream().filter(Catalog.Table::reachable)
                .filter(t -> !owner.counts(t.oid()).isEmpty() || owner.shared(t.oid()) > 0).toList();
        List<Catalog.Table> readable = probed.stream().filter(Catalog.Table::select)
                .filter(t -> !owner.counts(t.oid()).isEmpty()).toList();
        // with two connections the second checks the states outside a transaction (DISCARD ALL, a pool of one) as
        // soon as it is open, while the probes are planned, then runs its probes; their evidence is added at the end,
        // in the same order as with one connection (which checks them last)
        FutureTask<List<Observed>> outside = second == null || readable.isEmpty() ? null
                : Tasks.background("prodlike-rls-outside", () -> {
                    Connection other = Tasks.awaitQuietly(second);
                    if (other == null) {
                        return null; // checked on the first connection at the end
                    }
                    List<Observed> into = new ArrayList<>();
                    outsideTransaction(other, readable, into);
                    return into;
                });
        try {
            return run(c, second, sent, ran, probed, readable, outside);
        } catch (SQLException | RuntimeException e) {
            if (outside != null) {
                Tasks.awaitQuietly(outside);
            }
            throw e;
        }
    }

    private List<Observed> run(Connection c, FutureTask<Connection> second, Runnable sent, Runnable ran,
                               List<Catalog.Table> probed, List<Catalog.Table> readable,
                               FutureTask<List<Observed>> outside) throws SQLException {
        c.setAutoCommit(false);
        List<Probe> batch = new ArrayList<>();
        List<int[]> withoutTenant = planWithoutTenant(batch, readable); // first: nothing set yet
        List<TableProbes> tables = new ArrayList<>();
        List<Integer> starts = new ArrayList<>(); // where each table's probes start in the batch
        for (Catalog.Table t : probed) {
            starts.add(batch.size());
            for (String actor : tenants) { // also tenants without rows here: they must see none
                tables.add(planTable(batch, t, actor));
            }
        }
        // no second connection (e.g. the app role's CONNECTION LIMIT): all on the first
        Connection c2 = second == null ? null : Tasks.awaitQuietly(second);
        // the second connection checks the states outside a transaction first: it takes fewer table probes
        int split = c2 == null ? -1 : split(starts, batch.size(),
                outside == null ? 0 : -OUTSIDE_TRANSACTION_PROBES * readable.size());
        sent.run();
        List<Outcome> out = split < 0 ? ProbeBatch.run(c, setting, batch, null) : runSplit(c, c2, batch, split, outside);
        // every statement first, then the judging (the caller restores the sequences meanwhile); the evidence keeps
        // the order of judging, the states outside a transaction last
        Map<TableProbes, Outcome> narrow = narrowDeletes(c, tables, out);
        List<Probe> calls = new ArrayList<>();
        List<CallProbes> planned = planCalls(calls);
        List<Outcome> callOut = ProbeBatch.run(c, setting, calls, CALL_BUDGET);
        List<Observed> late = outside == null ? null : Tasks.await(outside);
        if (late == null && !readable.isEmpty()) {
            late = new ArrayList<>();
            outsideTransaction(c, readable, late);
        }
        ran.run();
        judgeWithoutTenant(readable, withoutTenant, out);
        for (TableProbes tp : tables) {
            judgeTable(tp, out, narrow.get(tp));
        }
        for (CallProbes cp : planned) {
            judgeCall(cp, callOut);
        }
        if (late != null) {
            for (Observed o : late) {
                if (!observed.contains(o)) {
                    observed.add(o);
                }
            }
        }
        return observed;
    }

    /**
     * DISCARD ALL and a pool of one, in auto-commit mode (these states need none); the evidence goes into
     * {@code into}, not {@link #observed}: with two connections this runs on its own thread.
     */
    private void outsideTransaction(Connection c, List<Catalog.Table> readable, List<Observed> into)
            throws SQLException {
        c.setAutoCommit(true);
        afterDiscardAll(c, readable, into);
        pooled(c, readable, into);
    }

    /**
     * @param extra work the first connection does besides its probes, in probes (negative: the second does it)
     * @return the start of the table whose probes split the batch most evenly, or -1 for fewer than two tables
     */
    private static int split(List<Integer> starts, int size, int extra) {
        int best = -1;
        for (int start : starts) {
            if (start > 0 && (best < 0 || Math.abs(size - extra - 2 * start) < Math.abs(size - extra - 2 * best))) {
                best = start;
            }
        }
        return best;
    }

    /**
     * Runs the probes from {@code split} on (whole tables) on the second connection while the first runs the
     * others: the server has a process per connection, so two CPUs work on them. Every probe is still rolled back
     * and sees only committed rows, so each outcome is the one a single connection gets, except where a probe
     * waited for a row or table the other connection's probe held: the second connection gives up such a wait
     * after {@value #LOCK_TIMEOUT} (a deadlock is broken the same way), and every probe that ended on a lock error
     * runs again afterwards on the first connection, alone. The second connection starts once {@code outside}
     * (null: nothing), its checks outside a transaction, is done.
     */
    private List<Outcome> runSplit(Connection c, Connection c2, List<Probe> batch, int split,
                                   FutureTask<List<Observed>> outside) throws SQLException {
        List<Probe> rest = batch.subList(split, batch.size());
        FutureTask<List<Outcome>> other = Tasks.background("prodlike-rls-probes-2", () -> {
            if (outside != null) {
                Tasks.await(outside);
            }
            try (Statement s = c2.createStatement()) { // after DISCARD ALL, which resets it
                s.execute("SET lock_timeout = " + Sql.literal(LOCK_TIMEOUT));
            }
            c2.setAutoCommit(false);
            return ProbeBatch.run(c2, setting, rest, null);
        });
        List<Outcome> out = new ArrayList<>();
        try {
            out.addAll(ProbeBatch.run(c, setting, batch.subList(0, split), null));
        } catch (SQLException | RuntimeException e) {
            Tasks.awaitQuietly(other);
            throw e;
        }
        out.addAll(Tasks.await(other));
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            String state = out.get(i).sqlState();
            if ("40P01".equals(state) || "55P03".equals(state) || "40001".equals(state)) {
                again.add(i);
            }
        }
        if (!again.isEmpty()) {
            List<Probe> alone = new ArrayList<>();
            again.forEach(i -> alone.add(batch.get(i)));
            List<Outcome> redone = ProbeBatch.run(c, setting, alone, null);
            for (int k = 0; k < again.size(); k++) {
                out.set(again.get(k), redone.get(k));
            }
        }
        return out;
    }

    /** Where a DELETE without WHERE failed (e.g. on a foreign key), deletes only other tenants' rows: one more batch. */
    private Map<TableProbes, Outcome> narrowDeletes(Connection c, List<TableProbes> tables, List<Outcome> out)
            throws SQLException {
        List<TableProbes> failed = tables.stream().filter(tp -> tp.delete() >= 0 && !out.get(tp.delete()).ok())
                .toList();
        List<Probe> batch = new ArrayList<>();
        for (TableProbes tp : failed) {
            add(batch, tp.actor(), Step.write(narrowDelete(tp.table(), tp.actor())));
        }
        List<Outcome> narrow = ProbeBatch.run(c, setting, batch, null);
        Map<TableProbes, Outcome> result = new LinkedHashMap<>();
        for (int i = 0; i < failed.size(); i++) {
            result.put(failed.get(i), narrow.get(i));
        }
        return result;
    }

    // ---- planning: tables

    /**
     * @return per table (in the order given) the probes with the setting never set and set to ''; a list rather
     *     than a map keyed by the table record, whose first hashCode costs a fresh JVM several milliseconds
     */
    private List<int[]> planWithoutTenant(List<Probe> batch, List<Catalog.Table> tables) {
        List<int[]> out = new ArrayList<>();
        for (Catalog.Table t : tables) {
            out.add(new int[] {add(batch, null, Step.query(countTenantRows(t.qualified()))), -1});
        }
        for (int i = 0; i < tables.size(); i++) {
            out.get(i)[1] = add(batch, "", Step.query(countTenantRows(tables.get(i).qualified())));
        }
        return out;
    }

    private TableProbes planTable(List<Probe> batch, Catalog.Table t, String actor) {
        String q = t.qualified();
        String col = Sql.ident(column);
        String me = Sql.typed(actor, t.tenantType());
        long owned = owner.counts(t.oid()).getOrDefault(actor, 0L);
        boolean shared = t.mayShare() && owner.shared(t.oid()) > 0 && t.select();
        int read = t.select() ? add(batch, actor, Step.query(groupByTenant(q))) : -1;
        int update = t.update() ? add(batch, actor, Step.write("UPDATE " + q + " SET " + col + " = " + me)) : -1;
        int delete = t.delete() ? add(batch, actor, Step.write("DELETE FROM " + q)) : -1;
        String sharedRows = " WHERE " + col + " IS NULL";
        int claim = shared && t.update()
                ? add(batch, actor, Step.write("UPDATE " + q + " SET " + col + " = " + me + sharedRows)) : -1;
        int touch = shared && t.update()
                ? add(batch, actor, Step.write("UPDATE " + q + " SET " + col + " = " + col + sharedRows)) : -1;
        int deleteShared = shared && t.delete() ? add(batch, actor, Step.write("DELETE FROM " + q + sharedRows)) : -1;
        String insertShared = t.mayShare() && t.insert() ? insert(t, null) : null;
        int insShared = insertShared == null ? -1 : add(batch, actor, withOwnCount(t, actor, insertShared));
        Map<String, Integer> inserts = new LinkedHashMap<>();
        Map<String, int[]> moves = new LinkedHashMap<>();
        for (String target : tenants) {
            if (target.equals(actor)) {
                continue;
            }
            String insert = t.insert() ? insert(t, target) : null;
            if (insert != null) {
                inserts.put(target, add(batch, actor, withOwnCount(t, actor, insert)));
            }
            if (t.update() && owned > 0) {
                int[] m = new int[2];
                for (int i = 0; i < 2; i++) {
                    m[i] = add(batch, actor, withOwnCount(t, actor, move(t, actor, target, i == 0)));
                }
                moves.put(target, m);
            }
        }
        return new TableProbes(t, actor, read, update, delete, claim, touch, deleteShared, insShared,
                inserts, moves);
    }

    private Step[] withOwnCount(Catalog.Table t, String actor, String write) {
        return t.select() ? new Step[] {Step.write(write), Step.query(ownCount(t.qualified(), actor))}
                : new Step[] {Step.write(write)};
    }

    private String move(Catalog.Table t, String actor, String target, boolean where) {
        String col = Sql.ident(column);
        return "UPDATE " + t.qualified() + " SET " + col + " = " + Sql.typed(target, t.tenantType())
                + (where ? " WHERE " + col + "::text = " + Sql.literal(actor) : "");
    }

    private String narrowDelete(Catalog.Table t, String actor) {
        return "DELETE FROM " + t.qualified() + " WHERE " + Sql.ident(column) + "::text <> " + Sql.literal(actor);
    }

    /** @return an INSERT of the owner's template row for {@code target} (null: a shared row), or null without one */
    private String insert(Catalog.Table t, String target) {
        List<String> template = owner.templates().get(t.oid());
        if (template == null) {
            return null;
        }
        return insert(t.qualified(), t.insertColumns(), template, target, t.tenantType());
    }

    private String insert(String relation, List<Catalog.Column> columns, List<String> template, String target,
                          String tenantType) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            names.add(Sql.ident(columns.get(i).name()));
            values.add(Sql.typed(template.get(i), columns.get(i).type()));
        }
        names.add(Sql.ident(column));
        values.add(target == null ? "NULL" : Sql.typed(target, tenantType));
        return "INSERT INTO " + relation + " (" + String.join(", ", names) + ") VALUES (" + String.join(", ", values)
                + ")";
    }

    // ---- planning: views and functions

    private List<CallProbes> planCalls(List<Probe> batch) {
        List<CallProbes> out = new ArrayList<>();
        Map<Long, Catalog.View> views = new LinkedHashMap<>();
        cat.views.forEach(v -> views.put(v.oid(), v));
        for (Catalog.View v : cat.views) {
            List<Catalog.Table> base = baseTables(v, views, new LinkedHashSet<>());
            if (!v.reachable() || base.isEmpty()) {
                continue;
            }
            out.add(planView(batch, v, base));
        }
        for (Catalog.TableFunction f : cat.tableFunctions) {
            out.add(planFunction(batch, f));
        }
        return out;
    }

    private List<Catalog.Table> baseTables(Catalog.View v, Map<Long, Catalog.View> views, Set<Long> seen) {
        List<Catalog.Table> out = new ArrayList<>();
        if (!seen.add(v.oid())) {
            return out;
        }
        for (long dep : v.dependsOn()) {
            Catalog.Table t = cat.tables.get(dep);
            if (t != null) {
                out.add(t);
            } else if (views.containsKey(dep)) {
                out.addAll(baseTables(views.get(dep), views, seen));
            }
        }
        return out;
    }

    private CallProbes planView(List<Probe> batch, Catalog.View v, List<Catalog.Table> base) {
        String q = v.qualified();
        String col = Sql.ident(column);
        Map<String, Integer> reads = new LinkedHashMap<>();
        Map<String, Integer> inserts = new LinkedHashMap<>();
        Map<String, Integer> updates = new LinkedHashMap<>();
        Map<String, Integer> deletes = new LinkedHashMap<>();
        boolean tenantColumn = v.tenantType() != null;
        List<String> template = owner.viewTemplates().get(v.oid());
        for (String actor : tenants) {
            if (v.appSelect() && tenantColumn) {
                reads.put(actor, add(batch, actor, Step.query(groupByTenant(q))));
            }
            if (v.appUpdate() && tenantColumn && v.kind() == 'v') {
                updates.put(actor, add(batch, actor,
                        Step.write("UPDATE " + q + " SET " + col + " = " + Sql.typed(actor, v.tenantType()))));
            }
            if (v.appDelete() && v.kind() == 'v') {
                deletes.put(actor, add(batch, actor, Step.write("DELETE FROM " + q)));
            }
            if (v.appInsert() && tenantColumn && v.kind() == 'v') {
                for (String target : tenants) {
                    if (!target.equals(actor)) {
                        String insert = template == null
                                ? "INSERT INTO " + q + " (" + col + ") VALUES (" + Sql.typed(target, v.tenantType()) + ")"
                                : insert(q, v.insertColumns(), template, target, v.tenantType());
                        Step[] steps = v.appSelect() // own rows before and after: a trigger may stamp the actor
                                ? new Step[] {Step.query(ownCount(q, actor)), Step.write(insert),
                                    Step.query(ownCount(q, actor))}
                                : new Step[] {Step.write(insert)};
                        inserts.put(actor + "\u0000" + target, add(batch, actor, steps));
                    }
                }
            }
        }
        long[] owned = new long[tenants.size() + 1];
        for (Catalog.Table t : base) {
            for (int i = 0; i < tenants.size(); i++) {
                owned[i] += owner.counts(t.oid()).getOrDefault(tenants.get(i), 0L);
            }
            owned[tenants.size()] += owner.shared(t.oid());
        }
        return new CallProbes(q, base.stream().map(Catalog.Table::qualified).distinct().toList(),
                (v.kind() == 'm' ? "materialized view " : "view ") + q, reads, inserts, updates, deletes, owned);
    }

    private CallProbes planFunction(List<Probe> batch, Catalog.TableFunction f) {
        Map<String, Integer> reads = new LinkedHashMap<>();
        for (String actor : tenants) {
            if (!f.tenantArgument()) {
                reads.put(actor, add(batch, actor, Step.query(groupByTenant(f.qualified() + "()"))));
                continue;
            }
            for (String target : tenants) {
                if (!target.equals(actor)) {
                    reads.put(actor + "\u0000" + target, add(batch, actor,
                            Step.query(groupByTenant(f.qualified() + "(" + Sql.literal(target) + ")"))));
                }
            }
        }
        return new CallProbes(f.signature(), List.of(), "function " + f.signature(), reads, Map.of(), Map.of(),
                Map.of(), new long[tenants.size() + 1]);
    }

    // ---- judging: tables

    private void judgeWithoutTenant(List<Catalog.Table> tables, List<int[]> probes, List<Outcome> out) {
        String[] states = {"tenant setting never set", setting + " set to ''"};
        for (int k = 0; k < tables.size(); k++) {
            Catalog.Table t = tables.get(k);
            int[] ids = probes.get(k);
            for (int i = 0; i < ids.length; i++) {
                Outcome o = out.get(ids[i]);
                if (o.ok() && o.count(0) > 0) {
                    add(t.qualified(), LeakClass.VISIBLE_WITHOUT_TENANT, states[i] + ": "
                            + countTenantRows(t.qualified()) + " returned " + o.count(0) + " (owner sees "
                            + owner.counts(t.oid()) + ")", t);
                }
            }
        }
    }

    private void judgeTable(TableProbes p, List<Outcome> out, Outcome narrowDelete) {
        long visibleOwn = judgeRead(p, out);
        long sharedWritten = judgeSharedWrites(p, out, visibleOwn);
        judgeUpdate(p, out, sharedWritten);
        judgeDelete(p, out, sharedWritten, narrowDelete);
        p.inserts().forEach((target, id) -> judgeInsert(p, target, out.get(id), visibleOwn));
        p.moves().forEach((target, ids) -> judgeMoves(p, target, out.get(ids[0]), out.get(ids[1]), visibleOwn));
    }

    /** @return the rows of its own the actor sees, or -1 when it cannot read the table */
    private long judgeRead(TableProbes p, List<Outcome> out) {
        if (p.read() < 0 || !out.get(p.read()).ok()) {
            return -1;
        }
        Catalog.Table t = p.table();
        Map<String, Long> seen = decode(out.get(p.read()).value(0));
        Map<String, Long> foreign = new LinkedHashMap<>(seen);
        foreign.remove(p.actor());
        foreign.remove(null); // shared rows belong to no tenant
        if (!foreign.isEmpty()) {
            add(t.qualified(), LeakClass.CROSS_TENANT_READ, "as tenant " + p.actor() + ": SELECT "
                    + Sql.ident(column) + ", count(*) FROM " + t.qualified() + " GROUP BY 1 returned " + show(seen)
                    + "; owner sees " + owner.counts(t.oid()), t);
        }
        return seen.getOrDefault(p.actor(), 0L);
    }

    /** @return how many shared rows the actor could change or delete (0 when none) */
    private long judgeSharedWrites(TableProbes p, List<Outcome> out, long visibleOwn) {
        Catalog.Table t = p.table();
        String q = t.qualified();
        String col = Sql.ident(column);
        long written = 0;
        if (p.claimShared() >= 0) {
            Outcome claim = out.get(p.claimShared());
            Outcome touch = out.get(p.touchShared());
            if (claim.ok() && claim.count(0) > 0) {
                written = claim.count(0);
                add(q, LeakClass.SHARED_ROW_WRITE, "as tenant " + p.actor() + ": UPDATE " + q + " SET " + col + " = "
                        + Sql.literal(p.actor()) + " WHERE " + col + " IS NULL took " + claim.count(0)
                        + " shared rows (every tenant reads them; owner sees " + owner.shared(t.oid()) + ")", t);
            } else if (touch.ok() && touch.count(0) > 0) {
                written = touch.count(0);
                add(q, LeakClass.SHARED_ROW_WRITE, "as tenant " + p.actor() + ": UPDATE " + q + " SET " + col + " = "
                        + col + " WHERE " + col + " IS NULL changed " + touch.count(0) + " shared rows", t);
            }
        }
        if (p.deleteShared() >= 0) {
            Outcome del = out.get(p.deleteShared());
            if (del.ok() && del.count(0) > 0) {
                written = Math.max(written, del.count(0));
                add(q, LeakClass.SHARED_ROW_WRITE, "as tenant " + p.actor() + ": DELETE FROM " + q + " WHERE " + col
                        + " IS NULL deleted " + del.count(0) + " shared rows", t);
            }
        }
        if (p.insertShared() >= 0) {
            Outcome ins = out.get(p.insertShared());
            boolean stamped = ins.ok() && t.select() && visibleOwn >= 0 && ins.count(1) == visibleOwn + 1;
            if ((ins.ok() && !stamped) || ins.passedRls()) {
                add(q, LeakClass.SHARED_ROW_WRITE, "as tenant " + p.actor() + ": " + insert(t, null) + " "
                        + (ins.ok() ? "was accepted: a row every tenant reads"
                        : "passed the row-level security check and failed only on " + ins.error()), t);
            }
        }
        return written;
    }

    private void judgeUpdate(TableProbes p, List<Outcome> out, long sharedWritten) {
        if (p.update() < 0) {
            return;
        }
        Catalog.Table t = p.table();
        Outcome upd = out.get(p.update());
        long owned = owned(p);
        if (upd.ok() && upd.count(0) > owned + sharedWritten) {
            add(t.qualified(), LeakClass.CROSS_TENANT_UPDATE, "as tenant " + p.actor() + ": UPDATE " + t.qualified()
                    + " SET " + Sql.ident(column) + " = " + Sql.typed(p.actor(), t.tenantType()) + " (no WHERE) changed "
                    + upd.count(0) + " rows; tenant " + p.actor() + " owns " + owned + sharedNote(t, sharedWritten)
                    + "; owner sees " + owner.counts(t.oid()), t);
        }
    }

    private void judgeDelete(TableProbes p, List<Outcome> out, long sharedWritten, Outcome narrow) {
        if (p.delete() < 0) {
            return;
        }
        Catalog.Table t = p.table();
        Outcome del = out.get(p.delete());
        long owned = owned(p);
        if (del.ok() && del.count(0) > owned + sharedWritten) {
            add(t.qualified(), LeakClass.CROSS_TENANT_DELETE, "as tenant " + p.actor() + ": DELETE FROM "
                    + t.qualified() + " (no WHERE) deleted " + del.count(0) + " rows; tenant " + p.actor() + " owns "
                    + owned + sharedNote(t, sharedWritten) + "; owner sees " + owner.counts(t.oid()), t);
        } else if (narrow != null) { // a foreign key (say) stopped it: only other tenants' rows were tried
            if ((narrow.ok() && narrow.count(0) > 0) || narrow.passedRls()) {
                add(t.qualified(), LeakClass.CROSS_TENANT_DELETE, "as tenant " + p.actor() + ": "
                        + narrowDelete(t, p.actor()) + " " + (narrow.ok() ? "deleted " + narrow.count(0) + " rows"
                        : "reached other tenants' rows and failed only on " + narrow.error()) + "; owner sees "
                        + owner.counts(t.oid()), t);
            }
        }
    }

    private void judgeInsert(TableProbes p, String target, Outcome ins, long visibleOwn) {
        Catalog.Table t = p.table();
        boolean stampedAsActor = ins.ok() && t.select() && visibleOwn >= 0 && ins.count(1) == visibleOwn + 1;
        if ((ins.ok() && !stampedAsActor) || ins.passedRls()) {
            add(t.qualified(), LeakClass.CROSS_TENANT_INSERT, "as tenant " + p.actor() + ": " + insert(t, target)
                    + " (no RETURNING) " + (ins.ok() ? "was accepted"
                    : "passed the row-level security check and failed only on " + ins.error()), t);
        }
    }

    private void judgeMoves(TableProbes p, String target, Outcome withWhere, Outcome withoutWhere, long visibleOwn) {
        Catalog.Table t = p.table();
        boolean where = true;
        for (Outcome mv : new Outcome[] {withWhere, withoutWhere}) {
            boolean moved = mv.ok() && mv.count(0) > 0
                    && (!t.select() || visibleOwn < 0 || mv.count(1) < visibleOwn);
            if (moved || mv.passedRls()) {
                add(t.qualified(), LeakClass.TENANT_REASSIGNMENT, "as tenant " + p.actor() + ": "
                        + move(t, p.actor(), target, where) + " " + (mv.ok() ? "moved "
                        + (t.select() && visibleOwn >= 0 ? visibleOwn - mv.count(1) : mv.count(0)) + " of "
                        + p.actor() + "'s rows to " + target
                        : "passed the row-level security check and failed only on " + mv.error()), t);
            }
            where = false;
        }
    }

    private long owned(TableProbes p) {
        return owner.counts(p.table().oid()).getOrDefault(p.actor(), 0L);
    }

    private String sharedNote(Catalog.Table t, long sharedWritten) {
        return owner.shared(t.oid()) == 0 ? "" : " and could write " + sharedWritten + " of "
                + owner.shared(t.oid()) + " shared rows";
    }

    // ---- judging: views and functions

    private void judgeCall(CallProbes cp, List<Outcome> out) {
        cp.reads().forEach((key, id) -> {
            Outcome o = out.get(id);
            String actor = key.contains("\u0000") ? key.substring(0, key.indexOf('\u0000')) : key;
            if (!o.ok()) {
                return;
            }
            Map<String, Long> seen = decode(o.value(0));
            Map<String, Long> foreign = new LinkedHashMap<>(seen);
            foreign.remove(actor);
            foreign.remove(null);
            if (!foreign.isEmpty()) {
                String call = key.contains("\u0000") ? " called with " + Sql.literal(key.substring(key.indexOf('\u0000') + 1))
                        : "";
                addCall(cp, LeakClass.CROSS_TENANT_READ, "as tenant " + actor + ": rows of " + cp.what() + call
                        + " per " + column + ": " + show(seen));
            }
        });
        cp.inserts().forEach((key, id) -> {
            Outcome o = out.get(id);
            String actor = key.substring(0, key.indexOf('\u0000'));
            String target = key.substring(key.indexOf('\u0000') + 1);
            boolean stampedAsActor = o.ok() && o.values().size() == 3 && o.count(2) == o.count(0) + 1;
            if ((o.ok() && !stampedAsActor) || o.passedRls()) {
                addCall(cp, LeakClass.CROSS_TENANT_INSERT, "as tenant " + actor + ": an INSERT into " + cp.what()
                        + " of a row for tenant " + target + " (rolled back) " + (o.ok() ? "was accepted"
                        : "passed the row-level security check and failed only on " + o.error()));
            }
        });
        judgeCallWrites(cp, cp.updates(), out, LeakClass.CROSS_TENANT_UPDATE, "UPDATE " + cp.relation() + " SET "
                + Sql.ident(column) + " = <tenant> (no WHERE) changed ");
        judgeCallWrites(cp, cp.deletes(), out, LeakClass.CROSS_TENANT_DELETE, "DELETE FROM " + cp.relation()
                + " (no WHERE) deleted ");
    }

    private void judgeCallWrites(CallProbes cp, Map<String, Integer> probes, List<Outcome> out, LeakClass leak,
                                 String did) {
        probes.forEach((actor, id) -> {
            Outcome o = out.get(id);
            long own = cp.owned()[tenants.indexOf(actor)];
            long shared = cp.owned()[tenants.size()];
            if (o.ok() && o.count(0) > own + shared) {
                addCall(cp, leak, "as tenant " + actor + ": " + did + o.count(0) + " rows; tenant " + actor
                        + " owns " + own + (shared > 0 ? " (and " + shared + " shared rows)" : "") + " in "
                        + String.join(", ", cp.tables()));
            }
        });
    }

    // ---- states outside a transaction: DISCARD ALL, a pool of one

    private void afterDiscardAll(Connection c, List<Catalog.Table> tables, List<Observed> into) throws SQLException {
        String tenant = tenants.isEmpty() ? "x" : tenants.get(0);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT set_config(" + Sql.literal(setting) + ", " + Sql.literal(tenant) + ", false)");
            s.execute("DISCARD ALL"); // cannot run inside a transaction block or a pipeline
            for (Map.Entry<Catalog.Table, Long> e : visible(s, tables).entrySet()) {
                Catalog.Table t = e.getKey();
                add(into, t.qualified(), LeakClass.VISIBLE_WITHOUT_TENANT, "after SET " + setting + " = "
                        + Sql.literal(tenant) + " and DISCARD ALL: " + countTenantRows(t.qualified()) + " returned "
                        + e.getValue() + " (owner sees " + owner.counts(t.oid()) + ")", t);
            }
        }
    }

    private void pooled(Connection physical, List<Catalog.Table> tables, List<Observed> into) throws SQLException {
        if (tenants.isEmpty()) {
            return;
        }
        String tenant = tenants.get(0);
        PoolOfOne pool = new PoolOfOne(physical, setting);
        try (PoolOfOne.Lease lease = pool.borrow(tenant); Statement s = lease.connection().createStatement()) {
            s.execute("SELECT count(*) FROM " + tables.get(0).qualified());
        } catch (SQLException ignored) {
            // using the connection is all that matters here
        }
        try (PoolOfOne.Lease lease = pool.borrow(null); Statement s = lease.connection().createStatement()) {
            for (Map.Entry<Catalog.Table, Long> e : visible(s, tables).entrySet()) {
                Catalog.Table t = e.getKey();
                add(into, t.qualified(), LeakClass.POOLED_CONNECTION_KEEPS_TENANT, "a pool of one lent its"
                        + " connection as tenant " + tenant + ", took it back (RESET " + setting + "), lent it without"
                        + " a tenant: " + countTenantRows(t.qualified()) + " returned " + e.getValue()
                        + " (owner sees " + owner.counts(t.oid()) + ")", t);
            }
        }
    }

    /** Counts tenant rows visible per table in one round trip, or one by one when a statement fails. */
    private Map<Catalog.Table, Long> visible(Statement s, List<Catalog.Table> tables) {
        Map<Catalog.Table, Long> out = new LinkedHashMap<>();
        StringBuilder sql = new StringBuilder();
        for (Catalog.Table t : tables) {
            sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("(").append(countTenantRows(t.qualified()))
                    .append(")");
        }
        try (var rs = s.executeQuery(sql.toString())) {
            for (Catalog.Table t : tables) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    out.put(t, rs.getLong(1));
                }
            }
            return out;
        } catch (SQLException e) {
            out.clear();
        }
        for (Catalog.Table t : tables) {
            try (var rs = s.executeQuery(countTenantRows(t.qualified()))) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    out.put(t, rs.getLong(1));
                }
            } catch (SQLException e) {
                // an error when no tenant is set is fail-closed
            }
        }
        return out;
    }

    // ---- SQL and evidence helpers

    private static int add(List<Probe> batch, String tenant, Step... steps) {
        batch.add(new Probe(tenant, steps));
        return batch.size() - 1;
    }

    private String countTenantRows(String relation) {
        return "SELECT count(*) FROM " + relation + " WHERE " + Sql.ident(column) + " IS NOT NULL";
    }

    private String ownCount(String relation, String actor) {
        return "SELECT count(*) FROM " + relation + " WHERE " + Sql.ident(column) + "::text = " + Sql.literal(actor);
    }

    /** @return a query returning rows per tenant as one text: {@code v<tenant>US<count>} or {@code n US<count>}, RS-separated */
    private String groupByTenant(String from) {
        return "SELECT string_agg(coalesce('v' || k, 'n') || chr(31) || n, chr(30)) FROM (SELECT "
                + Sql.ident(column) + "::text AS k, count(*) AS n FROM " + from + " x GROUP BY 1) y";
    }

    private static Map<String, Long> decode(String encoded) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String entry : encoded.split("\u001e")) {
            int us = entry.indexOf('\u001f');
            String key = entry.charAt(0) == 'n' ? null : entry.substring(1, us);
            out.put(key, Long.parseLong(entry.substring(us + 1)));
        }
        return out;
    }

    private static String show(Map<String, Long> seen) {
        Map<String, Long> named = new TreeMap<>();
        seen.forEach((k, v) -> named.put(k == null ? "(shared, NULL)" : k, v));
        return named.toString();
    }

    private void add(String relation, LeakClass leak, String line, Catalog.Table t) {
        add(observed, relation, leak, line, t);
    }

    private static void add(List<Observed> into, String relation, LeakClass leak, String line, Catalog.Table t) {
        Observed o = new Observed(relation, leak, line, List.of(t.qualified()));
        if (!into.contains(o)) {
            into.add(o);
        }
    }

    private void addCall(CallProbes cp, LeakClass leak, String line) {
        Observed o = new Observed(cp.relation(), leak, line, cp.tables());
        if (!observed.contains(o)) {
            observed.add(o);
        }
    }
}
