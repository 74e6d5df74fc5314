package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What the system catalogs say about the tenant tables, the app role, policies, views and functions. */
final class Catalog {

    record Role(long oid, String name, boolean superuser, boolean bypassRls, List<String> bypassingMemberships) {}

    record Column(String name, String type) {}

    record Table(
            long oid,
            String schema,
            String name,
            String qualified,
            char kind,
            boolean rls,
            boolean forced,
            long ownerOid,
            String owner,
            boolean appOwns,
            boolean select,
            boolean insert,
            boolean update,
            boolean delete,
            boolean truncate,
            String tenantType,
            boolean tenantNotNull,
            List<String> parents,
            boolean partition,
            List<Column> insertColumns) {

        /** @return whether rows without a tenant (shared rows) can exist: the tenant column is nullable */
        boolean mayShare() {
            return !tenantNotNull;
        }

        boolean reachable() {
            return select || insert || update || delete;
        }

        String privileges() {
            List<String> p = new ArrayList<>();
            if (select) {
                p.add("SELECT");
            }
            if (insert) {
                p.add("INSERT");
            }
            if (update) {
                p.add("UPDATE");
            }
            if (delete) {
                p.add("DELETE");
            }
            if (truncate) {
                p.add("TRUNCATE");
            }
            return p.isEmpty() ? "no privileges" : String.join(", ", p);
        }
    }

    record Policy(
            long table,
            String name,
            Command command,
            boolean permissive,
            boolean applies,
            String roles,
            String using,
            String withCheck) {

        boolean covers(Command cmd) {
            return command.covers(cmd);
        }

        String text(String table) {
            return "POLICY " + Sql.ident(name) + " ON " + table + " AS " + (permissive ? "PERMISSIVE" : "RESTRICTIVE")
                    + " FOR " + command + " TO " + roles + (using == null ? "" : " USING (" + using + ")")
                    + (withCheck == null ? "" : " WITH CHECK (" + withCheck + ")");
        }
    }

    /**
     * A view or materialized view. {@code ownerWrites} holds the commands (INSERT, UPDATE, DELETE) whose write
     * reaches the base tables with the view's rights: auto-updatable without an
     * INSTEAD OF trigger for it, or an unconditional INSTEAD rule. {@code tenantType} is null when the view has no
     * tenant column.
     */
    record View(
            long oid,
            String qualified,
            char kind,
            long ownerOid,
            String owner,
            boolean appSelect,
            boolean appInsert,
            boolean appUpdate,
            boolean appDelete,
            boolean securityInvoker,
            List<Long> dependsOn,
            Set<Command> ownerWrites,
            List<Long> triggerFunctions,
            String tenantType,
            List<Column> insertColumns) {

        boolean appWrites(Command cmd) {
            return switch (cmd) {
                case INSERT -> appInsert;
                case UPDATE -> appUpdate;
                case DELETE -> appDelete;
                case SELECT, ALL -> throw new IllegalArgumentException("not a write: " + cmd);
            };
        }

        boolean reachable() {
            return appSelect || appInsert || appUpdate || appDelete;
        }
    }

    /** A set-returning or composite function the app role can call whose result has the tenant column. */
    record TableFunction(long oid, String qualified, String signature, boolean tenantArgument) {}

    /**
     * A user function: SECURITY DEFINER or LEAKPROOF ones always, with the probes also every one the app role can
     * execute. {@code callable}: a function (not a procedure or trigger) the probes can call, taking no argument or
     * {@code arguments} = 1 tenant id.
     */
    record Function(
            long oid,
            String qualified,
            String signature,
            boolean securityDefiner,
            boolean leakproof,
            long ownerOid,
            String owner,
            boolean appExecute,
            String definition,
            List<Long> dependsOn,
            boolean callable,
            int arguments) {}

    /**
     * Another table that a read policy of a tenant table reads, and what the app role may write there.
     *
     * @param columns every column a write can set, with whether an INSERT may leave it out
     */
    record PolicyInput(
            long table,
            String policy,
            long helperOid,
            String helper,
            boolean insert,
            boolean update,
            boolean select,
            List<HelperColumn> columns) {}

    record HelperColumn(String name, String type, boolean optional) {}

    /** A pair of role oids: whether the first has the privileges of the second. */
    private record Privileges(long role, long of) {}

    record SettingDefault(String database, String role, String config) {}

    final Role app;
    final Map<Long, Table> tables = new LinkedHashMap<>();
    final List<Policy> policies = new ArrayList<>();
    final Set<String> tenantFunctions = new TreeSet<>();
    final List<View> views = new ArrayList<>();
    final List<Function> functions = new ArrayList<>();
    final List<TableFunction> tableFunctions = new ArrayList<>();
    final List<SettingDefault> settingDefaults = new ArrayList<>();
    final List<PolicyInput> policyInputs = new ArrayList<>();
    /** Per tenant table, how it marks the rows every tenant reads; filled once the policies are analysed. */
    final Map<Long, SharedRows> shared = new HashMap<>();

    final Map<Long, Role> roles = new HashMap<>();
    /** The user sequences (read with the probes only), whose state the audit restores after probing. */
    final List<String> sequences = new ArrayList<>();

    private final Map<Privileges, Boolean> privsOf = new HashMap<>();
    private final Connection c;
    private final int serverMajor;
    private final boolean ownerIsSuperuser;
    private String tenantColumn;

    private Catalog(Connection c, Role app, int serverMajor, boolean ownerIsSuperuser) {
        this.c = c;
        this.app = app;
        this.serverMajor = serverMajor;
        this.ownerIsSuperuser = ownerIsSuperuser;
    }

    /** @return whether the connection that read the catalogs is a superuser's (it can act as the app role) */
    boolean ownerIsSuperuser() {
        return ownerIsSuperuser;
    }

    /** @return how the table marks shared rows (by default: NULL, where the column is nullable) */
    SharedRows shared(Table t) {
        SharedRows s = shared.get(t.oid());
        return s != null ? s : new SharedRows(t.mayShare(), List.of());
    }

    String tenantColumn() {
        return tenantColumn;
    }

    int serverMajor() {
        return serverMajor;
    }

    /**
     * Reads the catalogs in one round trip: every query goes to the server at once and their results are read in
     * order (the app role's oid comes from a CTE in each, not from an earlier query's result).
     *
     * @param dynamic whether the probes will run: then the functions to probe and the sequences to restore are read too
     */
    static Catalog load(Connection c, String appRole, String column, String setting, Set<String> only, boolean dynamic)
            throws SQLException {
        List<String> sql = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        sql.add(CatalogQueries.ROLE);
        params.add(appRole);
        sql.add(CatalogQueries.ROLES);
        sql.add(CatalogQueries.TABLES);
        params.addAll(List.of(appRole, column));
        sql.add(CatalogQueries.POLICIES);
        params.addAll(List.of(appRole, column));
        sql.add(CatalogQueries.TENANT_FUNCTIONS);
        params.add(setting);
        sql.add(CatalogQueries.VIEWS);
        params.addAll(List.of(appRole, column, column));
        sql.add(CatalogQueries.FUNCTIONS);
        params.addAll(List.of(appRole, dynamic, dynamic));
        sql.add(CatalogQueries.SETTING_DEFAULTS);
        params.addAll(List.of(appRole, setting));
        if (dynamic) {
            sql.add(CatalogQueries.TABLE_FUNCTIONS);
            params.addAll(List.of(appRole, column, column));
            sql.add(CatalogQueries.SEQUENCES);
            sql.add(CatalogQueries.POLICY_READS);
            params.addAll(List.of(appRole, column));
        }
        try (PreparedStatement ps = c.prepareStatement(String.join(";\n", sql))) {
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i) instanceof Boolean b) {
                    ps.setBoolean(i + 1, b);
                } else {
                    ps.setString(i + 1, (String) params.get(i));
                }
            }
            ps.execute();
            Catalog cat;
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new IllegalStateException("The app role '" + appRole + "' does not exist in this cluster");
                }
                cat = new Catalog(
                        c,
                        new Role(rs.getLong(1), appRole, rs.getBoolean(2), rs.getBoolean(3), strings(rs.getArray(4))),
                        rs.getInt(5),
                        rs.getBoolean(6));
            }
            cat.tenantColumn = column;
            cat.readRoles(next(ps));
            cat.readTables(next(ps), only);
            cat.readPolicies(next(ps));
            cat.readTenantFunctions(next(ps));
            cat.readViews(next(ps));
            cat.readFunctions(next(ps));
            cat.readSettingDefaults(next(ps));
            if (dynamic) {
                cat.readTableFunctions(next(ps));
                cat.readSequences(next(ps));
                cat.readPolicyInputs(next(ps));
            }
            return cat;
        }
    }

    /** @return the next statement's result set, closed by the caller */
    private static ResultSet next(PreparedStatement ps) throws SQLException {
        if (!ps.getMoreResults()) {
            throw new IllegalStateException("a catalog query returned no result");
        }
        return ps.getResultSet();
    }

    private void readRoles(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                roles.put(
                        rs.getLong(1),
                        new Role(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), List.of()));
            }
        }
    }

    private void readTables(ResultSet rs, Set<String> only) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String schema = rs.getString(2);
                String name = rs.getString(3);
                String qualified = rs.getString(20);
                if (!only.isEmpty()
                        && !only.contains(qualified)
                        && !only.contains(name)
                        && !only.contains(schema + "." + name)) {
                    continue;
                }
                List<Column> cols = new ArrayList<>();
                for (String s : strings(rs.getArray(19))) {
                    int bar = s.indexOf('|');
                    cols.add(new Column(s.substring(0, bar), s.substring(bar + 1)));
                }
                Table t = new Table(
                        rs.getLong(1),
                        schema,
                        name,
                        qualified,
                        rs.getString(4).charAt(0),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getLong(7),
                        rs.getString(8),
                        rs.getBoolean(9),
                        rs.getBoolean(10),
                        rs.getBoolean(11),
                        rs.getBoolean(12),
                        rs.getBoolean(13),
                        rs.getBoolean(14),
                        rs.getString(15),
                        rs.getBoolean(16),
                        strings(rs.getArray(17)),
                        rs.getBoolean(18),
                        cols);
                tables.put(t.oid(), t);
            }
        }
    }

    private void readPolicies(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                if (tables.containsKey(rs.getLong(1))) {
                    policies.add(new Policy(
                            rs.getLong(1),
                            rs.getString(2),
                            Command.of(rs.getString(3).charAt(0)),
                            rs.getBoolean(4),
                            rs.getBoolean(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8)));
                }
            }
        }
    }

    private void readTenantFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                tenantFunctions.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
    }

    private void readViews(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                int updatable = rs.getInt(13);
                int triggers = rs.getInt(14);
                String rules = rs.getString(15);
                Set<Command> ownerWrites = EnumSet.noneOf(Command.class);
                if (rules.contains("3") || ((updatable & 8) != 0 && (triggers & 4) == 0)) {
                    ownerWrites.add(Command.INSERT);
                }
                if (rules.contains("2") || ((updatable & 4) != 0 && (triggers & 16) == 0)) {
                    ownerWrites.add(Command.UPDATE);
                }
                if (rules.contains("4") || ((updatable & 16) != 0 && (triggers & 8) == 0)) {
                    ownerWrites.add(Command.DELETE);
                }
                List<Column> cols = new ArrayList<>();
                for (String x : strings(rs.getArray(18))) {
                    int bar = x.indexOf('|');
                    cols.add(new Column(x.substring(0, bar), x.substring(bar + 1)));
                }
                views.add(new View(
                        rs.getLong(1),
                        rs.getString(19),
                        rs.getString(4).charAt(0),
                        rs.getLong(5),
                        rs.getString(6),
                        rs.getBoolean(7),
                        rs.getBoolean(8),
                        rs.getBoolean(9),
                        rs.getBoolean(10),
                        rs.getBoolean(11),
                        longs(rs.getArray(12)),
                        ownerWrites,
                        longs(rs.getArray(16)),
                        rs.getString(17),
                        cols));
            }
        }
    }

    private void readTableFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String q = rs.getString(6);
                tableFunctions.add(
                        new TableFunction(rs.getLong(1), q, q + "(" + rs.getString(4) + ")", rs.getInt(5) == 1));
            }
        }
    }

    private void readFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String q = rs.getString(12);
                functions.add(new Function(
                        rs.getLong(1),
                        q,
                        q + "(" + rs.getString(4) + ")",
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getLong(7),
                        rs.getString(8),
                        rs.getBoolean(9),
                        rs.getString(10),
                        longs(rs.getArray(11)),
                        rs.getBoolean(13),
                        rs.getInt(14)));
            }
        }
    }

    private void readSettingDefaults(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                settingDefaults.add(new SettingDefault(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
    }

    private void readPolicyInputs(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                if (!tables.containsKey(rs.getLong(1))) {
                    continue;
                }
                List<HelperColumn> cols = new ArrayList<>();
                for (String s : strings(rs.getArray(8))) {
                    String[] f = s.split("\\|", 3);
                    cols.add(new HelperColumn(f[0], f[1], Boolean.parseBoolean(f[2])));
                }
                policyInputs.add(new PolicyInput(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getBoolean(7),
                        cols));
            }
        }
    }

    private void readSequences(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                sequences.add(rs.getString(1));
            }
        }
    }

    /** @return whether {@code role} has the privileges of {@code owner} (so owns what it owns) */
    boolean hasPrivilegesOf(long role, long owner) throws SQLException {
        if (role == owner) {
            return true;
        }
        Privileges key = new Privileges(role, owner);
        Boolean cached = privsOf.get(key);
        if (cached != null) {
            return cached;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_has_role(?, ?, 'USAGE')")) {
            ps.setLong(1, role);
            ps.setLong(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean result = rs.getBoolean(1);
                privsOf.put(key, result);
                return result;
            }
        }
    }

    /** @return why {@code role} reads the table without its policies, or null when RLS applies to it */
    String bypassReason(long role, Table t) throws SQLException {
        Role r = roles.get(role);
        String name = r == null ? String.valueOf(role) : r.name();
        if (r != null && r.superuser()) {
            return name + " is a superuser";
        }
        if (r != null && r.bypassRls()) {
            return name + " has BYPASSRLS";
        }
        if (!t.rls()) {
            return t.qualified() + " has row-level security disabled";
        }
        if (!t.forced() && hasPrivilegesOf(role, t.ownerOid())) {
            return name + (role == t.ownerOid() ? " owns " : " has the privileges of " + t.owner() + ", who owns ")
                    + t.qualified() + " and RLS is not forced";
        }
        return null;
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static List<Long> longs(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(((Number) o).longValue());
        }
        return out;
    }
}
