package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the system catalogs say about the tenant tables, the app role, policies, views and functions
 * ({@link CatalogLoader} reads them).
 */
final class Catalog {

    record Role(long oid, String name, boolean superuser, boolean bypassRls, List<String> bypassingMemberships) {}

    record Column(String name, String type) {}

    /**
     * A user sequence whose state the audit restores after probing.
     *
     * @param name           its name as {@code regclass} prints it
     * @param calledAt       its last value when it was called (then that is its whole state), or null when it was never
     *                       called or the owner cannot read it: then {@code SELECT last_value, is_called} reads it
     */
    record Sequence(String name, String calledAt) {}

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

    final Map<Long, Role> roles = new HashMap<>();
    /** The user sequences (read with the probes only), whose state the audit restores after probing. */
    final List<Sequence> sequences = new ArrayList<>();

    private final Map<Privileges, Boolean> privsOf = new HashMap<>();
    /** The owner's connection, for the few role-membership questions a check asks after loading. */
    private final Connection c;

    private final int serverMajor;
    private final boolean ownerIsSuperuser;
    private final String tenantColumn;

    Catalog(Connection c, Role app, String tenantColumn, int serverMajor, boolean ownerIsSuperuser) {
        this.c = c;
        this.app = app;
        this.tenantColumn = tenantColumn;
        this.serverMajor = serverMajor;
        this.ownerIsSuperuser = ownerIsSuperuser;
    }

    /** @return whether the connection that read the catalogs is a superuser's (it can act as the app role) */
    boolean ownerIsSuperuser() {
        return ownerIsSuperuser;
    }

    String tenantColumn() {
        return tenantColumn;
    }

    int serverMajor() {
        return serverMajor;
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
}
