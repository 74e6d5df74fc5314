package dev.prodlike.rls.internal;

import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;

/**
 * The dynamic checks as the app role, each probe in a subtransaction that is rolled back: plans every probe first,
 * runs them in a few round trips ({@link ProbeBatch}) on one or two connections, then has them judged. The planning
 * and judging of each kind of probe lives with it ({@link TableProbes}, {@link CallProbes}, {@link WritePaths},
 * {@link OutsideTransaction}).
 */
final class Probes {

    /**
     * What the probes cost, for tests and the report.
     *
     * @param connections    app-role connections the table probes ran on (1 or 2)
     * @param lockRetries    probes of the second connection that ended on a lock the first held and ran again alone
     * @param oneConnection  why the probes ran on one connection although two were asked for; null otherwise
     */
    record Stats(int connections, int lockRetries, String oneConnection) {}

    /**
     * The outcomes of the table probes, how many of them ran again after a lock error, and why they ran on one
     * connection although two were asked for (null: they did not).
     */
    private record SplitRun(List<Outcome> outcomes, int retries, String oneConnection) {}

    /** What {@link #run} returns: the evidence, what it cost, and notes on what passed that a reader may look for. */
    record Result(List<Observed> observed, Stats stats, List<String> notes) {}

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

    private final ProbeContext ctx;
    private final Evidence evidence = new Evidence();
    private final TableProbes tables;
    private final CallProbes calls;
    private final WritePaths writePaths;

    Probes(ProbeContext ctx) {
        this.ctx = ctx;
        this.tables = new TableProbes(ctx, evidence);
        this.calls = new CallProbes(ctx, evidence);
        this.writePaths = new WritePaths(ctx, evidence);
    }

    /**
     * @param c      an app-role connection the caller closes
     * @param second a second app-role connection being opened (the caller closes it), for the second half of the
     *               table probes; null to run them all on {@code c}; when it fails to open they run on {@code c}
     *               and {@link Stats#oneConnection()} says why
     * @param sent   called when the table probes are planned and go to the server
     * @param ran    called when the last probe has run (the judging follows), so sequences can be restored meanwhile
     */
    Result run(Connection c, FutureTask<Connection> second, Runnable sent, Runnable ran) throws SQLException {
        List<Catalog.Table> probed = ctx.cat().tables.values().stream()
                .filter(Catalog.Table::reachable)
                .filter(t ->
                        !ctx.owner().counts(t.oid()).isEmpty() || ctx.owner().shared(t.oid()) > 0)
                .toList();
        List<Catalog.Table> readable = probed.stream()
                .filter(Catalog.Table::select)
                .filter(t -> !ctx.owner().counts(t.oid()).isEmpty())
                .toList();
        // with two connections the second checks the states outside a transaction (DISCARD ALL, a pool of one) as
        // soon as it is open, while the probes are planned, then runs its probes; their evidence is added at the end,
        // in the same order as with one connection (which checks them last)
        FutureTask<Evidence> outside = second == null || readable.isEmpty()
                ? null
                : Tasks.background("prodlike-rls-outside", () -> {
                    Connection other = Tasks.awaitQuietly(second);
                    return other == null ? null : new OutsideTransaction(ctx).run(other, readable);
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

    private Result run(
            Connection c,
            FutureTask<Connection> second,
            Runnable sent,
            Runnable ran,
            List<Catalog.Table> probed,
            List<Catalog.Table> readable,
            FutureTask<Evidence> outside)
            throws SQLException {
        c.setAutoCommit(false);
        List<Probe> batch = new ArrayList<>();
        List<TableProbes.WithoutTenant> withoutTenant = tables.planWithoutTenant(batch, readable);
        List<TableProbes.Plan> plans = new ArrayList<>();
        List<Integer> starts = new ArrayList<>(); // where each table's probes start in the batch
        for (Catalog.Table t : probed) {
            starts.add(batch.size());
            for (String actor : ctx.tenants()) { // also tenants without rows here: they must see none
                plans.add(tables.plan(batch, t, actor));
            }
        }
        // the second connection checks the states outside a transaction first: it takes fewer table probes. The
        // first starts on its share at once; if the second cannot be opened, it runs the rest too
        int split = second == null
                ? -1
                : split(starts, batch.size(), outside == null ? 0 : -OUTSIDE_TRANSACTION_PROBES * readable.size());
        sent.run();
        SplitRun run = split < 0
                ? new SplitRun(
                        ProbeBatch.run(c, ctx.setting(), batch, null),
                        0,
                        second == null ? null : "fewer than two tables have probes")
                : runSplit(c, second, batch, split, outside);
        List<Outcome> out = run.outcomes();
        // every statement first, then the judging (the caller restores the sequences meanwhile); the evidence keeps
        // the order of judging, the states outside a transaction last
        Map<TableProbes.Plan, Outcome> narrow = narrowDeletes(c, plans, out);
        List<Probe> callBatch = new ArrayList<>();
        List<CallProbes.Plan> callPlans = calls.plan(callBatch);
        List<WritePaths.Plan> writePlans = writePaths.plan(callBatch);
        List<Outcome> callOut = ProbeBatch.run(c, ctx.setting(), callBatch, CALL_BUDGET);
        Evidence late = outside == null ? null : Tasks.await(outside);
        if (late == null && !readable.isEmpty()) {
            late = new OutsideTransaction(ctx).run(c, readable);
        }
        ran.run();
        tables.judgeWithoutTenant(withoutTenant, out);
        for (TableProbes.Plan p : plans) {
            tables.judge(p, out, narrow.get(p));
        }
        for (CallProbes.Plan p : callPlans) {
            calls.judge(p, callOut);
        }
        writePaths.judge(writePlans, callOut);
        if (late != null) {
            evidence.addAll(late.list());
        }
        List<String> notes = new ArrayList<>();
        for (CallProbes.Plan p : callPlans) { // what no read probe can show: a view the app role may only write
            boolean writes = !p.inserts().isEmpty()
                    || !p.updates().isEmpty()
                    || !p.deletes().isEmpty();
            if (writes
                    && p.reads().isEmpty()
                    && evidence.list().stream().noneMatch(o -> o.relation().equals(p.relation()))) {
                notes.add(p.what() + ": its writes were probed as each tenant and reached no other tenant's rows");
            }
        }
        return new Result(
                evidence.list(),
                new Stats(run.oneConnection() == null && split >= 0 ? 2 : 1, run.retries(), run.oneConnection()),
                notes);
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
    private SplitRun runSplit(
            Connection c, FutureTask<Connection> second, List<Probe> batch, int split, FutureTask<Evidence> outside)
            throws SQLException {
        List<Probe> rest = batch.subList(split, batch.size());
        FutureTask<List<Outcome>> other = Tasks.background("prodlike-rls-probes-2", () -> {
            Connection c2 = Tasks.await(second); // e.g. the app role's CONNECTION LIMIT: the first runs them all
            if (outside != null) {
                Tasks.await(outside);
            }
            try (Statement s = c2.createStatement()) { // after DISCARD ALL, which resets it
                AppConnections.ownTimeouts(s);
                s.execute("SET lock_timeout = " + SqlValues.literal(LOCK_TIMEOUT));
            }
            c2.setAutoCommit(false);
            return ProbeBatch.run(c2, ctx.setting(), rest, null);
        });
        List<Outcome> out = new ArrayList<>();
        try {
            out.addAll(ProbeBatch.run(c, ctx.setting(), batch.subList(0, split), null));
        } catch (SQLException | RuntimeException e) {
            Tasks.awaitQuietly(other);
            throw e;
        }
        String oneConnection = null;
        try {
            out.addAll(Tasks.await(other));
        } catch (SQLException | RuntimeException e) {
            if (Tasks.awaitQuietly(second) != null) { // the second connection opened: its probes failed
                throw e;
            }
            oneConnection = "a second app-role connection could not be opened (" + e.getMessage() + ")";
            out.addAll(ProbeBatch.run(c, ctx.setting(), rest, null));
        }
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
            List<Outcome> redone = ProbeBatch.run(c, ctx.setting(), alone, null);
            for (int k = 0; k < again.size(); k++) {
                out.set(again.get(k), redone.get(k));
            }
        }
        return new SplitRun(out, again.size(), oneConnection);
    }

    /** Where a DELETE without WHERE failed (e.g. on a foreign key), deletes only other tenants' rows: one more batch. */
    private Map<TableProbes.Plan, Outcome> narrowDeletes(Connection c, List<TableProbes.Plan> plans, List<Outcome> out)
            throws SQLException {
        List<TableProbes.Plan> failed = plans.stream()
                .filter(p -> p.delete() >= 0 && !out.get(p.delete()).ok())
                .toList();
        List<Probe> batch = new ArrayList<>();
        for (TableProbes.Plan p : failed) {
            ProbeContext.add(batch, p.actor(), Step.write(tables.narrowDelete(p.table(), p.actor())));
        }
        List<Outcome> narrow = ProbeBatch.run(c, ctx.setting(), batch, null);
        Map<TableProbes.Plan, Outcome> result = new LinkedHashMap<>();
        for (int i = 0; i < failed.size(); i++) {
            result.put(failed.get(i), narrow.get(i));
        }
        return result;
    }
}
