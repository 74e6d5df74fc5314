package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.LeakClass;
import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The non-interference probe: what tenant A reads through a view or a function must not change when tenant B's rows
 * change. On the owner's connection, in one rolled-back subtransaction per probe: as the app role acting as A, read
 * twice (a result that differs between two reads is not judged); as the owner, delete B's rows in the tenant tables
 * under it, or (a probe of its own) insert one row for B (triggers and foreign keys off:
 * {@code session_replication_role = replica}); as A again, read. A difference is a leak, reported with both results. A view or function whose every probe ran
 * and showed no difference is verified: it may run with its owner's rights, but it filters by the tenant itself.
 *
 * <p>Needs an owner connection that can act as the app role and switch off triggers: a superuser (as on every server
 * prodlike provisions). Without one nothing is verified, and the catalog findings stand.
 */
final class NonInterference {

    /** A view or function to probe: how to read it, and the tenant tables under it. */
    record Target(String relation, String what, String read, List<Catalog.Table> tables) {}

    /** The probe of one target as {@code actor}, changing {@code other}'s rows: deleting them, or adding one. */
    record Plan(Target target, String actor, String other, boolean delete, int probe) {}

    /** What the probes showed: evidence of leaks, and the targets verified (every probe ran, none differed). */
    record Result(List<Observed> observed, Set<String> verified, List<String> notes) {}

    private static final int SHOWN = 300;

    private final ProbeContext ctx;
    private final CallProbes calls;

    NonInterference(ProbeContext ctx) {
        this.ctx = ctx;
        this.calls = new CallProbes(ctx, new Evidence());
    }

    /** @return the views the app role can read over tenant tables, and the functions it can call that read them */
    List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (Catalog.View v : ctx.cat().views) {
            List<Catalog.Table> base = calls.baseTables(v);
            if (v.kind() == 'v' && v.appSelect() && !base.isEmpty()) {
                out.add(new Target(
                        v.qualified(),
                        "view " + v.qualified(),
                        "SELECT * FROM " + v.qualified(),
                        List.copyOf(new LinkedHashSet<>(base))));
            }
        }
        for (Catalog.Function f : ctx.cat().functions) {
            if (!f.callable() || !f.appExecute()) {
                continue;
            }
            List<Catalog.Table> reads = reads(f);
            if (reads.isEmpty() && !f.securityDefiner()) {
                continue; // runs with the caller's rights and reads no tenant table
            }
            if (reads.isEmpty()) {
                reads = new ArrayList<>(ctx.cat().tables.values()); // what it reads is unknown: every tenant table
            }
            out.add(new Target(f.signature(), "function " + f.signature(), f.qualified(), reads));
        }
        return out;
    }

    /** @return the tenant tables a function depends on or names in its body, directly or through a view */
    private List<Catalog.Table> reads(Catalog.Function f) {
        Set<Catalog.Table> out = new LinkedHashSet<>();
        String body = f.definition() == null ? "" : f.definition().toLowerCase(Locale.ROOT);
        for (Catalog.Table t : ctx.cat().tables.values()) {
            if (f.dependsOn().contains(t.oid()) || mentions(body, t.schema(), t.name())) {
                out.add(t);
            }
        }
        for (Catalog.View v : ctx.cat().views) {
            String name = v.qualified();
            String bare = name.substring(name.indexOf('.') + 1).replace("\"", "");
            if (f.dependsOn().contains(v.oid()) || mentions(body, null, bare)) {
                out.addAll(calls.baseTables(v));
            }
        }
        return new ArrayList<>(out);
    }

    static boolean mentions(String body, String schema, String name) {
        return Pattern.compile(
                        "(?<![\\w$])(" + (schema == null ? "\\w+" : Pattern.quote(schema.toLowerCase(Locale.ROOT)))
                                + "\\s*\\.\\s*)?\"?" + Pattern.quote(name.toLowerCase(Locale.ROOT)) + "\"?(?![\\w$])")
                .matcher(body)
                .find();
    }

    /**
     * @param owner the owner's connection, in auto-commit mode; left in it
     */
    Result run(Connection owner, List<Target> targets) throws SQLException {
        if (targets.isEmpty() || ctx.tenants().size() < 2) {
            return new Result(List.of(), Set.of(), List.of());
        }
        if (!ctx.cat().ownerIsSuperuser()) {
            return new Result(
                    List.of(),
                    Set.of(),
                    List.of("views and functions that run with their owner's rights"
                            + " were judged from the catalogs only: the non-interference probe needs an owner connection"
                            + " that is a superuser (to act as " + ctx.cat().app.name()
                            + " and to change another tenant's"
                            + " rows without triggers)"));
        }
        List<Probe> batch = new ArrayList<>();
        List<Plan> plans = new ArrayList<>();
        for (Target t : targets) {
            for (String actor : ctx.tenants()) {
                for (String other : ctx.tenants()) {
                    if (!other.equals(actor)) { // apart: a deleted row and an inserted copy could cancel out
                        plans.add(
                                new Plan(t, actor, other, true, ProbeContext.add(batch, actor, steps(t, other, true))));
                        if (t.tables().stream().anyMatch(x -> ctx.insert(x, other) != null)) {
                            plans.add(new Plan(
                                    t, actor, other, false, ProbeContext.add(batch, actor, steps(t, other, false))));
                        }
                    }
                }
            }
        }
        owner.setAutoCommit(false);
        List<Outcome> out;
        try {
            out = ProbeBatch.run(owner, ctx.setting(), batch, Probes.CALL_BUDGET);
        } finally {
            owner.setAutoCommit(true);
        }
        return judge(plans, out);
    }

    private Step[] steps(Target t, String other, boolean delete) {
        String app = Sql.ident(ctx.cat().app.name());
        String read = fingerprint(t, other);
        List<Step> steps = new ArrayList<>(List.of(
                Step.write("SET LOCAL ROLE " + app),
                Step.query(read),
                Step.query(read),
                Step.write("RESET ROLE"),
                Step.write("SET LOCAL session_replication_role = replica")));
        for (Catalog.Table table : t.tables()) {
            String insert = ctx.insert(table, other);
            if (delete) {
                steps.add(Step.write("DELETE FROM " + table.qualified() + " WHERE " + ctx.col() + "::text = "
                        + SqlValues.literal(other)));
            } else if (insert != null) {
                steps.add(Step.write(insert + " ON CONFLICT DO NOTHING"));
            }
        }
        steps.addAll(List.of(
                Step.write("SET LOCAL session_replication_role = origin"),
                Step.write("SET LOCAL ROLE " + app),
                Step.query(read)));
        return steps.toArray(new Step[0]);
    }

    /** @return a query of the result's row count, a digest of all of it, and its first characters, as one text */
    private String fingerprint(Target t, String other) {
        String from = t.read().startsWith("SELECT")
                ? t.read()
                : "SELECT * FROM " + t.read() + "(" + (callsWithTenant(t) ? SqlValues.literal(other) : "") + ")";
        return "SELECT count(*) || chr(31) || coalesce(md5(string_agg(x::text, chr(30) ORDER BY x::text)), '')"
                + " || chr(31) || coalesce(left(string_agg(x::text, '; ' ORDER BY x::text), " + SHOWN + "), '')"
                + " FROM (" + from + ") x";
    }

    private boolean callsWithTenant(Target t) {
        return ctx.cat().functions.stream().anyMatch(f -> f.signature().equals(t.relation()) && f.arguments() == 1);
    }

    private Result judge(List<Plan> plans, List<Outcome> out) {
        List<Observed> observed = new ArrayList<>();
        Map<String, Boolean> clean = new LinkedHashMap<>(); // per target: every probe ran and showed no difference
        List<String> notes = new ArrayList<>();
        for (Plan p : plans) {
            Outcome o = out.get(p.probe());
            Target t = p.target();
            int last = o.values().size() - 1;
            if (!o.ok() || !o.value(1).equals(o.value(2))) {
                clean.put(t.relation(), false);
                notes.add(t.what() + " was not verified by the non-interference probe: "
                        + (o.ok() ? "two reads in a row returned different results" : o.error()));
                continue;
            }
            clean.putIfAbsent(t.relation(), true);
            if (!o.value(1).equals(o.value(last))) {
                clean.put(t.relation(), false);
                observed.add(new Observed(
                        t.relation(),
                        LeakClass.CROSS_TENANT_INFLUENCE,
                        "as tenant " + p.actor()
                                + ": " + shown(t, p.other()) + " returned " + show(o.value(1)) + "; after tenant "
                                + p.other()
                                + (p.delete()
                                        ? "'s rows in " + names(t.tables()) + " were deleted"
                                        : " got a new row in " + names(t.tables()))
                                + " (as the owner, rolled back), it returned "
                                + show(o.value(last)),
                        t.tables().stream().map(Catalog.Table::qualified).toList()));
            }
        }
        Set<String> verified = new LinkedHashSet<>();
        for (Plan p : plans) {
            Target t = p.target();
            if (clean.get(t.relation()) && verified.add(t.relation())) {
                notes.add(t.what() + ": verified by the non-interference probe (as each tenant, what it read did"
                        + " not change when another tenant's rows changed)");
            }
        }
        return new Result(observed, verified, notes.stream().distinct().toList());
    }

    private String shown(Target t, String other) {
        return t.read().startsWith("SELECT")
                ? t.read()
                : "SELECT * FROM " + t.read() + "(" + (callsWithTenant(t) ? SqlValues.literal(other) : "") + ")";
    }

    private static String names(List<Catalog.Table> tables) {
        return String.join(", ", tables.stream().map(Catalog.Table::qualified).toList());
    }

    /** @return "N rows [first rows]" from the fingerprint */
    private static String show(String fingerprint) {
        String[] f = fingerprint.split("\u001f", 3);
        String rows = f[0] + (f[0].equals("1") ? " row" : " rows");
        return f[2].isEmpty() ? rows : rows + " [" + f[2] + (f[2].length() >= SHOWN ? "…" : "") + "]";
    }
}
