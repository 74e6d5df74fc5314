package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The catalog checks: everything that can be seen without running a query as the app role. */
final class StaticAudit {

    private static final Command[] USING_COMMANDS = {Command.SELECT, Command.UPDATE, Command.DELETE};
    private static final Command[] CHECK_COMMANDS = {Command.INSERT, Command.UPDATE};

    private final Catalog cat;
    private final String column;
    private final String setting;
    private final PolicyExpression expressions;
    private final List<Cause> causes = new ArrayList<>();
    /** The policies that apply to the app role, per table, in catalog order. */
    private final Map<Long, List<Catalog.Policy>> applying = new HashMap<>();

    StaticAudit(Catalog cat, String column, String setting) {
        this.cat = cat;
        this.column = column;
        this.setting = setting;
        this.expressions = new PolicyExpression(column, setting, cat.tenantFunctions);
    }

    PolicyExpression expressions() {
        return expressions;
    }

    /** @return the static findings, each with the dynamic evidence it would explain */
    List<Cause> run() throws SQLException {
        for (Catalog.Policy p : cat.policies) {
            if (p.applies()) {
                applying.computeIfAbsent(p.table(), k -> new ArrayList<>()).add(p);
            }
        }
        role();
        settingDefaults();
        for (Catalog.Table t : cat.tables.values()) {
            table(t);
        }
        views();
        functions();
        return causes;
    }

    private void add(Finding f, Set<LeakClass> explains, Set<String> relations) {
        causes.add(new Cause(
                f, explains.isEmpty() ? EnumSet.noneOf(LeakClass.class) : EnumSet.copyOf(explains), relations));
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

    String tenantPredicate(Catalog.Table t) {
        String read = "current_setting(" + SqlValues.literal(setting) + ", true)";
        String type = t.tenantType();
        boolean textual = type.equals("text") || type.startsWith("character varying") || type.equals("citext");
        return Sql.ident(column) + " = " + (textual ? read : read + "::" + type);
    }

    String isolationSql(Catalog.Table t) {
        String p = tenantPredicate(t);
        return "ALTER TABLE " + t.qualified() + " ENABLE ROW LEVEL SECURITY;\n"
                + "ALTER TABLE " + t.qualified() + " FORCE ROW LEVEL SECURITY;\n"
                + "CREATE POLICY tenant_isolation ON " + t.qualified() + "\n"
                + "    USING (" + p + ")\n    WITH CHECK (" + p + ");";
    }

    private void role() {
        Catalog.Role app = cat.app;
        List<String> why = new ArrayList<>();
        List<String> fix = new ArrayList<>();
        if (app.superuser()) {
            why.add("role " + app.name() + " has SUPERUSER (rolsuper = true)");
            fix.add("ALTER ROLE " + Sql.ident(app.name()) + " NOSUPERUSER;");
        }
        if (app.bypassRls()) {
            why.add("role " + app.name() + " has BYPASSRLS (rolbypassrls = true)");
            fix.add("ALTER ROLE " + Sql.ident(app.name()) + " NOBYPASSRLS;");
        }
        for (String m : app.bypassingMemberships()) {
            String member = m.substring(0, m.indexOf(' '));
            why.add("role " + app.name() + " is a member of " + m + " and can SET ROLE to it");
            fix.add("REVOKE " + Sql.ident(member) + " FROM " + Sql.ident(app.name()) + ";");
        }
        if (!why.isEmpty()) {
            add(
                    new Finding(
                            app.name(),
                            LeakClass.ROLE_BYPASSES_RLS,
                            String.join("; ", why) + "; every policy is skipped for it",
                            String.join("\n", fix),
                            List.of()),
                    Cause.ALL_DYNAMIC,
                    Set.of());
        }
    }

    private void settingDefaults() {
        for (Catalog.SettingDefault d : cat.settingDefaults) {
            String scope = d.role().isEmpty()
                    ? "DATABASE " + Sql.ident(d.database())
                    : "ROLE " + Sql.ident(d.role())
                            + (d.database().isEmpty() ? "" : " IN DATABASE " + Sql.ident(d.database()));
            String where = d.role().isEmpty()
                    ? "database " + d.database()
                    : "role " + d.role() + (d.database().isEmpty() ? "" : " in database " + d.database());
            add(
                    new Finding(
                            d.role().isEmpty() ? d.database() : d.role(),
                            LeakClass.TENANT_SETTING_DEFAULT,
                            "pg_db_role_setting sets " + d.config() + " for " + where
                                    + ": every new or reset connection acts as that tenant",
                            "ALTER " + scope + " RESET " + setting + ";",
                            List.of()),
                    EnumSet.of(LeakClass.VISIBLE_WITHOUT_TENANT, LeakClass.POOLED_CONNECTION_KEEPS_TENANT),
                    Set.of());
        }
    }

    private void table(Catalog.Table t) throws SQLException {
        if (t.truncate()) {
            add(
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
                    Set.of());
        }
        if (!t.reachable()) {
            return; // the app role cannot use it directly; views and functions are checked separately
        }
        String kind = t.partition()
                ? "partition of " + String.join(", ", t.parents())
                : !t.parents().isEmpty()
                        ? "inheritance child of " + String.join(", ", t.parents())
                        : t.kind() == 'p' ? "partitioned table" : "table";
        if (!t.rls()) {
            String fix = isolationSql(t);
            if (!t.parents().isEmpty()) {
                fix += "\n-- or, if the app should reach it only through " + String.join(", ", t.parents()) + ":\n"
                        + "REVOKE ALL ON " + t.qualified() + " FROM " + Sql.ident(cat.app.name()) + ";";
            }
            add(
                    new Finding(
                            t.qualified(),
                            LeakClass.RLS_DISABLED,
                            kind + " with column " + column + ", relrowsecurity = false, and " + cat.app.name()
                                    + " has " + t.privileges() + " on it directly",
                            fix,
                            List.of(t.qualified())),
                    Cause.ALL_DYNAMIC,
                    Set.of(t.qualified()));
            return;
        }
        if (!t.forced() && t.appOwns()) {
            String how = t.ownerOid() == cat.app.oid()
                    ? cat.app.name() + " owns it"
                    : "owner is " + t.owner() + " and " + cat.app.name() + " is a member of " + t.owner()
                            + " (pg_has_role)";
            add(
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
                    Set.of(t.qualified()));
        }
        policies(t);
    }

    private void policies(Catalog.Table t) {
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
        ignoringPolicies(t, mine, ignoring, ignoringWhy, checking);
        uncheckedPolicies(t, checking, checkingWhy);
        sharedWritePolicies(t, sharedUsing, sharedCheck, sharedWhy);
    }

    /**
     * One finding per permissive policy whose USING lets a tenant past the tenant column. A policy without WITH
     * CHECK checks new rows with the same USING: that is the same cause, so it is folded in here.
     */
    private void ignoringPolicies(
            Catalog.Table t,
            List<Catalog.Policy> mine,
            Map<Catalog.Policy, Set<String>> ignoring,
            Map<Catalog.Policy, PolicyExpression.Result> why,
            Map<Catalog.Policy, Set<String>> checking) {
        String pred = tenantPredicate(t);
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
            add(
                    new Finding(
                            t.qualified(),
                            failsOpen ? LeakClass.POLICY_FAILS_OPEN : LeakClass.POLICY_IGNORES_TENANT,
                            evidence,
                            fix,
                            List.of(t.qualified())),
                    consequences(e.getValue(), folded == null ? Set.of() : folded),
                    Set.of(t.qualified()));
        }
    }

    private void uncheckedPolicies(
            Catalog.Table t,
            Map<Catalog.Policy, Set<String>> checking,
            Map<Catalog.Policy, PolicyExpression.Result> why) {
        String pred = tenantPredicate(t);
        for (Map.Entry<Catalog.Policy, Set<String>> e : checking.entrySet()) {
            Catalog.Policy p = e.getKey();
            String origin = p.withCheck() != null
                    ? "WITH CHECK (" + p.withCheck() + ")"
                    : "no WITH CHECK, so new rows are checked with USING (" + p.using() + ")";
            String evidence = p.text(t.qualified()) + "\n" + origin + " does not confine " + column
                    + " to the tenant setting (branch: " + why.get(p).branch() + "); "
                    + String.join(" and ", e.getValue()) + " can write rows of any tenant";
            String fix = "ALTER POLICY " + Sql.ident(p.name()) + " ON " + t.qualified() + " WITH CHECK (" + pred + ");";
            add(
                    new Finding(t.qualified(), LeakClass.WITH_CHECK_MISSING, evidence, fix, List.of(t.qualified())),
                    consequences(Set.of(), e.getValue()),
                    Set.of(t.qualified()));
        }
    }

    /**
     * Policies whose shared-rows branch lets a tenant write shared rows: {@code <column> IS NULL} on a nullable
     * column, or {@code <column> = <constant>}.
     */
    private void sharedWritePolicies(
            Catalog.Table t,
            Map<Catalog.Policy, Set<String>> using,
            Map<Catalog.Policy, Set<String>> check,
            Map<Catalog.Policy, PolicyExpression.Result> why) {
        Set<Catalog.Policy> policies = new LinkedHashSet<>(using.keySet());
        policies.addAll(check.keySet());
        String pred = tenantPredicate(t);
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
            add(
                    new Finding(t.qualified(), LeakClass.SHARED_ROWS_WRITABLE, evidence, fix, List.of(t.qualified())),
                    EnumSet.of(LeakClass.SHARED_ROW_WRITE),
                    Set.of(t.qualified()));
        }
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

    /** Definer views and materialized views that expose tenant rows to the app role. */
    private void views() throws SQLException {
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
                add(
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
                        Set.of(v.qualified()));
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
            add(
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
                    Set.of(v.qualified()));
        }
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

    /** SECURITY DEFINER functions that read tenant tables with a bypassing owner; user-defined LEAKPROOF functions. */
    private void functions() throws SQLException {
        String app = Sql.ident(cat.app.name());
        for (Catalog.Function f : cat.functions) {
            if (f.leakproof()) {
                add(
                        new Finding(
                                f.signature(),
                                LeakClass.LEAKPROOF_FUNCTION,
                                "pg_proc.proleakproof = true for user-defined " + f.signature() + " (owner " + f.owner()
                                        + "); the planner may call it on rows that policies would filter out, so anything"
                                        + " it raises or logs can reveal other tenants' values",
                                "ALTER FUNCTION " + f.signature() + " NOT LEAKPROOF;",
                                List.of()),
                        Set.of(),
                        Set.of());
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
            add(
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
                    through);
        }
    }
}
