package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The findings on a table's policies: a permissive policy that ignores the tenant or fails open when it is unset, a
 * write check that does not confine the tenant, a shared-rows branch that lets a tenant write shared rows.
 */
final class PolicyFindings {

    private static final Command[] USING_COMMANDS = {Command.SELECT, Command.UPDATE, Command.DELETE};
    private static final Command[] CHECK_COMMANDS = {Command.INSERT, Command.UPDATE};

    private final Catalog cat;
    private final String column;
    private final String setting;
    private final PolicyExpression expressions;
    private final IsolationSql isolation;
    /** The policies that apply to the app role, per table, in catalog order. */
    private final Map<Long, List<Catalog.Policy>> applying = new HashMap<>();

    PolicyFindings(Catalog cat, String column, String setting, PolicyExpression expressions, IsolationSql isolation) {
        this.cat = cat;
        this.column = column;
        this.setting = setting;
        this.expressions = expressions;
        this.isolation = isolation;
        for (Catalog.Policy p : cat.policies) {
            if (p.applies()) {
                applying.computeIfAbsent(p.table(), k -> new ArrayList<>()).add(p);
            }
        }
    }

    /** @return the findings on the policies that apply to the app role on a table with row-level security */
    List<Cause> find(Catalog.Table t) {
        List<Cause> out = new ArrayList<>();
        List<Catalog.Policy> mine = applying.getOrDefault(t.oid(), List.of());
        Map<Catalog.Policy, Set<String>> ignoring = new LinkedHashMap<>();
        Map<Catalog.Policy, PolicyExpression.Result> ignoringWhy = new HashMap<>();
        Map<Catalog.Policy, Set<String>> checking = new LinkedHashMap<>();
        Map<Catalog.Policy, PolicyExpression.Result> checkingWhy = new HashMap<>();
        Map<Catalog.Policy, Set<String>> sharedUsing = new LinkedHashMap<>();
        Map<Catalog.Policy, Set<String>> sharedCheck = new LinkedHashMap<>();
        Map<Catalog.Policy, PolicyExpression.Result> sharedWhy = new HashMap<>();
        for (Command cmd : USING_COMMANDS) {
            if (confinedByRestrictive(mine, cmd, false, t)) {
                continue;
            }
            for (Catalog.Policy p : mine) {
                if (p.permissive() && p.covers(cmd) && p.using() != null) {
                    PolicyExpression.Result r = expressions.analyze(p.using());
                    if (r.verdict() == PolicyExpression.Verdict.SHARED && !confines(r, cmd, false, t)) {
                        sharedUsing
                                .computeIfAbsent(p, k -> new LinkedHashSet<>())
                                .add(cmd.name());
                        sharedWhy.put(p, r);
                    } else if (!confines(r, cmd, false, t)) {
                        ignoring.computeIfAbsent(p, k -> new LinkedHashSet<>()).add(cmd.name());
                        ignoringWhy.put(p, r);
                    }
                }
            }
        }
        for (Command cmd : CHECK_COMMANDS) {
            if (confinedByRestrictive(mine, cmd, true, t)) {
                continue;
            }
            for (Catalog.Policy p : mine) {
                String check = check(p);
                if (p.permissive() && p.covers(cmd) && check != null) {
                    PolicyExpression.Result r = expressions.analyze(check);
                    if (r.verdict() == PolicyExpression.Verdict.SHARED && !confines(r, cmd, true, t)) {
                        sharedCheck
                                .computeIfAbsent(p, k -> new LinkedHashSet<>())
                                .add(cmd.name());
                        sharedWhy.putIfAbsent(p, r);
                    } else if (!confines(r, cmd, true, t)) {
                        checking.computeIfAbsent(p, k -> new LinkedHashSet<>()).add(cmd.name());
                        checkingWhy.put(p, r);
                    }
                }
            }
        }
        ignoringPolicies(out, t, mine, ignoring, ignoringWhy, checking);
        uncheckedPolicies(out, t, checking, checkingWhy);
        sharedWritePolicies(out, t, sharedUsing, sharedCheck, sharedWhy);
        return out;
    }

    /**
     * One finding per permissive policy whose USING lets a tenant past the tenant column. A policy without WITH
     * CHECK checks new rows with the same USING: that is the same cause, so it is folded in here.
     */
    private void ignoringPolicies(
            List<Cause> out,
            Catalog.Table t,
            List<Catalog.Policy> mine,
            Map<Catalog.Policy, Set<String>> ignoring,
            Map<Catalog.Policy, PolicyExpression.Result> why,
            Map<Catalog.Policy, Set<String>> checking) {
        String pred = isolation.predicate(t);
        for (Map.Entry<Catalog.Policy, Set<String>> e : ignoring.entrySet()) {
            Catalog.Policy p = e.getKey();
            PolicyExpression.Result r = why.get(p);
            boolean failsOpen = r.verdict() == PolicyExpression.Verdict.FAILS_OPEN;
            boolean besideCorrect = mine.stream()
                    .anyMatch(o -> o != p
                            && o.permissive()
                            && o.using() != null
                            && e.getValue().stream().allMatch(cmd -> o.covers(Command.valueOf(cmd)))
                            && expressions.analyze(o.using()).verdict() == PolicyExpression.Verdict.CONFINES);
            Set<String> folded = p.withCheck() == null ? checking.remove(p) : null;
            String evidence = p.text(t.qualified()) + "\n"
                    + (failsOpen
                            ? "branch (" + r.branch() + ") reads " + setting + " but not " + column
                                    + ": it grants every row when the setting is unset or empty"
                            : "branch (" + r.branch() + ") never compares " + column + " with " + setting)
                    + "; applies to " + cat.app.name() + " for " + String.join(", ", e.getValue())
                    + (folded == null
                            ? ""
                            : "; with no WITH CHECK the same branch accepts new rows of any tenant" + " for "
                                    + String.join(" and ", folded))
                    + (besideCorrect
                            ? "; permissive policies are OR-ed, so it widens the correct policy next to it"
                            : "");
            String fix = besideCorrect
                    ? "DROP POLICY " + Sql.ident(p.name()) + " ON " + t.qualified() + ";"
                    : "ALTER POLICY " + Sql.ident(p.name()) + " ON " + t.qualified() + " USING (" + pred + ");";
            out.add(Cause.of(
                    new Finding(
                            t.qualified(),
                            failsOpen ? LeakClass.POLICY_FAILS_OPEN : LeakClass.POLICY_IGNORES_TENANT,
                            evidence,
                            fix,
                            List.of(t.qualified())),
                    consequences(e.getValue(), folded == null ? Set.of() : folded),
                    Set.of(t.qualified())));
        }
    }

    private void uncheckedPolicies(
            List<Cause> out,
            Catalog.Table t,
            Map<Catalog.Policy, Set<String>> checking,
            Map<Catalog.Policy, PolicyExpression.Result> why) {
        String pred = isolation.predicate(t);
        for (Map.Entry<Catalog.Policy, Set<String>> e : checking.entrySet()) {
            Catalog.Policy p = e.getKey();
            String origin = p.withCheck() != null
                    ? "WITH CHECK (" + p.withCheck() + ")"
                    : "no WITH CHECK, so new rows are checked with USING (" + p.using() + ")";
            String evidence = p.text(t.qualified()) + "\n" + origin + " does not confine " + column
                    + " to the tenant setting (branch: " + why.get(p).branch() + "); "
                    + String.join(" and ", e.getValue()) + " can write rows of any tenant";
            String fix = "ALTER POLICY " + Sql.ident(p.name()) + " ON " + t.qualified() + " WITH CHECK (" + pred + ");";
            out.add(Cause.of(
                    new Finding(t.qualified(), LeakClass.WITH_CHECK_MISSING, evidence, fix, List.of(t.qualified())),
                    consequences(Set.of(), e.getValue()),
                    Set.of(t.qualified())));
        }
    }

    /**
     * Policies whose shared-rows branch lets a tenant write shared rows: {@code <column> IS NULL} on a nullable
     * column, or {@code <column> = <constant>}.
     */
    private void sharedWritePolicies(
            List<Cause> out,
            Catalog.Table t,
            Map<Catalog.Policy, Set<String>> using,
            Map<Catalog.Policy, Set<String>> check,
            Map<Catalog.Policy, PolicyExpression.Result> why) {
        Set<Catalog.Policy> policies = new LinkedHashSet<>(using.keySet());
        policies.addAll(check.keySet());
        String pred = isolation.predicate(t);
        String col = Sql.ident(column);
        for (Catalog.Policy p : policies) {
            Set<String> u = using.getOrDefault(p, Set.of());
            Set<String> c = check.getOrDefault(p, Set.of());
            List<String> can = new ArrayList<>();
            if (c.contains("INSERT")) {
                can.add(why.get(p).shared() == null ? "insert rows without a tenant" : "insert shared rows");
            }
            if (u.contains("UPDATE") || c.contains("UPDATE")) {
                can.add("change shared rows" + (c.contains("UPDATE") ? " or give away its own" : ""));
            }
            if (u.contains("DELETE")) {
                can.add("delete shared rows");
            }
            Set<String> commands = new LinkedHashSet<>(c);
            commands.addAll(u);
            String value = why.get(p).shared();
            String evidence = p.text(t.qualified()) + "\n"
                    + (value == null
                            ? "branch (" + column
                                    + " IS NULL) admits rows of no tenant for " + String.join(", ", commands) + "; "
                                    + column
                                    + " is nullable, so shared rows exist"
                            : "branch (" + why.get(p).branch() + ") admits the shared rows (" + column + " = "
                                    + SqlValues.literal(value) + ") for " + String.join(", ", commands))
                    + ", and a tenant can " + String.join(", ", can) + ": rows every tenant reads";
            String shared = value == null ? col + " IS NULL" : col + " = " + SqlValues.typed(value, t.tenantType());
            String fix = p.command() == Command.ALL
                    ? "ALTER POLICY " + Sql.ident(p.name()) + " ON " + t.qualified() + " USING (" + pred
                            + ") WITH CHECK (" + pred + ");\nCREATE POLICY " + Sql.ident(p.name() + "_shared_read")
                            + " ON "
                            + t.qualified() + " FOR SELECT TO " + p.roles() + " USING (" + shared + ");"
                            + "  -- shared rows stay readable"
                    : "ALTER POLICY " + Sql.ident(p.name()) + " ON " + t.qualified()
                            + (u.isEmpty() ? "" : " USING (" + pred + ")")
                            + (c.isEmpty() ? "" : " WITH CHECK (" + pred + ")")
                            + ";";
            out.add(Cause.of(
                    new Finding(t.qualified(), LeakClass.SHARED_ROWS_WRITABLE, evidence, fix, List.of(t.qualified())),
                    EnumSet.of(LeakClass.SHARED_ROW_WRITE),
                    Set.of(t.qualified())));
        }
    }

    /** The probes a policy's USING (reads, UPDATE, DELETE) or WITH CHECK (INSERT, UPDATE) lets through. */
    private static Set<LeakClass> consequences(Set<String> using, Set<String> check) {
        Set<LeakClass> out = EnumSet.noneOf(LeakClass.class);
        if (using.contains("SELECT")) {
            out.addAll(List.of(
                    LeakClass.CROSS_TENANT_READ,
                    LeakClass.VISIBLE_WITHOUT_TENANT,
                    LeakClass.POOLED_CONNECTION_KEEPS_TENANT));
        }
        if (using.contains("UPDATE")) {
            out.addAll(List.of(LeakClass.CROSS_TENANT_UPDATE, LeakClass.SHARED_ROW_WRITE));
        }
        if (using.contains("DELETE")) {
            out.addAll(List.of(LeakClass.CROSS_TENANT_DELETE, LeakClass.SHARED_ROW_WRITE));
        }
        if (check.contains("INSERT")) {
            out.addAll(List.of(LeakClass.CROSS_TENANT_INSERT, LeakClass.SHARED_ROW_WRITE));
        }
        if (check.contains("UPDATE")) {
            out.addAll(List.of(LeakClass.TENANT_REASSIGNMENT, LeakClass.SHARED_ROW_WRITE));
        }
        return out;
    }

    /**
     * @return whether the verdict keeps a tenant to its own rows for the command: a shared-rows branch is fine for
     * reads, and for writes when the column is NOT NULL (no shared rows exist by design)
     */
    private static boolean confines(PolicyExpression.Result r, Command cmd, boolean check, Catalog.Table t) {
        return switch (r.verdict()) {
            case CONFINES -> true;
            case SHARED -> (cmd == Command.SELECT && !check) || (r.shared() == null && !t.mayShare());
            default -> false;
        };
    }

    private boolean confinedByRestrictive(List<Catalog.Policy> policies, Command cmd, boolean check, Catalog.Table t) {
        for (Catalog.Policy p : policies) {
            String expr = check ? check(p) : p.using();
            if (!p.permissive()
                    && p.covers(cmd)
                    && expr != null
                    && confines(expressions.analyze(expr), cmd, check, t)) {
                return true;
            }
        }
        return false;
    }

    private static String check(Catalog.Policy p) {
        if (p.withCheck() != null) {
            return p.withCheck();
        }
        return p.command() == Command.INSERT ? null : p.using();
    }
}
