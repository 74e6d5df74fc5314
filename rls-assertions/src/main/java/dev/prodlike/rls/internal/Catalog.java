package dev.prodlike.rls.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What the system catalogs say about the tenant tables, the app role, policies, views and functions. */
final class Catalog {

    static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_%'";

    record Role(long oid, String name, boolean superuser, boolean bypassRls, List<String> bypassingMemberships) {
    }

    record Column(String name, String type) {
    }

    record Table(long oid, String schema, String name, String qualified, char kind, boolean rls, boolean forced,
                 long ownerOid, String owner, boolean appOwns, boolean select, boolean insert, boolean update,
                 boolean delete, boolean truncate, String tenantType, boolean tenantNotNull, List<String> parents,
                 boolean partition, List<Column> insertColumns) {

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

    record Policy(long table, String name, char command, boolean permissive, boolean applies, String roles,
                  String using, String withCheck) {

        String commandName() {
            return switch (command) {
                case 'r' -> "SELECT";
                case 'a' -> "INSERT";
                case 'w' -> "UPDATE";
                case 'd' -> "DELETE";
                default -> "ALL";
            };
        }

        boolean covers(char cmd) {
            return command == '*' || command == cmd;
        }

        String text(String table) {
            return "POLICY " + Sql.ident(name) + " ON " + table + " AS " + (permissive ? "PERMISSIVE" : "RESTRICTIVE")
                    + " FOR " + commandName() + " TO " + roles + (using == null ? "" : " USING (" + using + ")")
                    + (withCheck == null ? "" : " WITH CHECK (" + withCheck + ")");
        }
    }

    /**
     * A view or materialized view. {@code ownerWrites} holds the commands ({@code a} insert, {@code w} update,
     * {@code d} delete) whose write reaches the base tables with the view's rights: auto-updatable without an
     * INSTEAD OF trigger for it, or an unconditional INSTEAD rule. {@code tenantType} is null when the view has no
     * tenant column.
     */
    record View(long oid, String qualified, char kind, long ownerOid, String owner, boolean appSelect,
                boolean appInsert, boolean appUpdate, boolean appDelete, boolean securityInvoker, List<Long> dependsOn,
                String ownerWrites, List<Long> triggerFunctions, String tenantType, List<Column> insertColumns) {

        boolean appWrites(char cmd) {
            return switch (cmd) {
                case 'a' -> appInsert;
                case 'w' -> appUpdate;
                default -> appDelete;
            };
        }

        boolean reachable() {
            return appSelect || appInsert || appUpdate || appDelete;
        }
    }

    /** A set-returning or composite function the app role can call whose result has the tenant column. */
    record TableFunction(long oid, String qualified, String signature, boolean tenantArgument) {
    }

    record Function(long oid, String qualified, String signature, boolean securityDefiner, boolean leakproof,
                    long ownerOid, String owner, boolean appExecute, String definition, List<Long> dependsOn) {
    }

    record SettingDefault(String database, String role, String config) {
    }

    final Role app;
    final Map<Long, Table> tables = new LinkedHashMap<>();
    final List<Policy> policies = new ArrayList<>();
    final Set<String> tenantFunctions = new TreeSet<>();
    final List<View> views = new ArrayList<>();
    final List<Function> functions = new ArrayList<>();
    final List<TableFunction> tableFunctions = new ArrayList<>();
    final List<SettingDefault> settingDefaults = new ArrayList<>();
    final Map<Long, Role> roles = new HashMap<>();
    private final Map<String, Boolean> privsOf = new HashMap<>();
    private final Connection c;
    private final int serverMajor;
    private String tenantColumn;

    private Catalog(Connection c, Role app, int serverMajor) {
        this.c = c;
        this.app = app;
        this.serverMajor = serverMajor;
    }

    String tenantColumn() {
        return tenantColumn;
    }

    int serverMajor() {
        return serverMajor;
    }

    static Catalog load(Connection c, String appRole, String column, String setting, Set<String> only,
                        int serverMajor) throws SQLException {
        Catalog cat = new Catalog(c, role(c, appRole), serverMajor);
        T.mark("cat role");
        cat.loadRoles();
        T.mark("cat roles");
        cat.tenantColumn = column;
        cat.loadTables(column, only);
        T.mark("cat tables");
        cat.loadPolicies();
        T.mark("cat policies");
        cat.loadTenantFunctions(setting);
        T.mark("cat tenantfunctions");
        cat.loadViews(serverMajor, column);
        T.mark("cat views");
        cat.loadFunctions();
        T.mark("cat functions");
        cat.loadSettingDefaults(setting);
        return cat;
    }

    private static Role role(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.oid, r.rolsuper, r.rolbypassrls,"
                + " ARRAY(SELECT b.rolname || CASE WHEN b.rolsuper THEN ' (SUPERUSER)' ELSE ' (BYPASSRLS)' END"
                + "   FROM pg_roles b WHERE (b.rolsuper OR b.rolbypassrls) AND b.oid <> r.oid AND NOT r.rolsuper"
                + "   AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1)"
                + " FROM pg_roles r WHERE r.rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("The app role '" + name + "' does not exist in this cluster");
                }
                return new Role(rs.getLong(1), name, rs.getBoolean(2), rs.getBoolean(3), strings(rs.getArray(4)));
            }
        }
    }

    private void loadRoles() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT oid, rolname, rolsuper, rolbypassrls FROM pg_roles");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                roles.put(rs.getLong(1), new Role(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        List.of()));
            }
        }
    }

    private void loadTables(String column, Set<String> only) throws SQLException {
        String sql = "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,"
                + " c.relowner, pg_get_userbyid(c.relowner),"
                + " pg_has_role(?, c.relowner, 'USAGE') OR pg_has_role(?, c.relowner, 'MEMBER'),"
                + " has_table_privilege(?, c.oid, 'SELECT'), has_table_privilege(?, c.oid, 'INSERT'),"
                + " has_table_privilege(?, c.oid, 'UPDATE'), has_table_privilege(?, c.oid, 'DELETE'),"
                + " has_table_privilege(?, c.oid, 'TRUNCATE'), format_type(a.atttypid, a.atttypmod),"
                + " a.attnotnull, ARRAY(SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid),"
                + " c.relispartition,"
                + " ARRAY(SELECT x.attname || '|' || format_type(x.atttypid, x.atttypmod) FROM pg_attribute x"
                + "   WHERE x.attrelid = c.oid AND x.attnum > 0 AND NOT x.attisdropped AND NOT x.atthasdef"
                + "   AND x.attidentity = '' AND x.attgenerated = '' AND x.attname <> a.attname ORDER BY x.attnum)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMA + " ORDER BY n.nspname, c.relname";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= 7; i++) {
                ps.setLong(i, app.oid());
            }
            ps.setString(8, column);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(2);
                    String name = rs.getString(3);
                    String qualified = Sql.qualified(schema, name);
                    if (!only.isEmpty() && !only.contains(qualified) && !only.contains(name)
                            && !only.contains(schema + "." + name)) {
                        continue;
                    }
                    List<Column> cols = new ArrayList<>();
                    for (String s : strings(rs.getArray(19))) {
                        int bar = s.indexOf('|');
                        cols.add(new Column(s.substring(0, bar), s.substring(bar + 1)));
                    }
                    Table t = new Table(rs.getLong(1), schema, name, qualified, rs.getString(4).charAt(0),
                            rs.getBoolean(5), rs.getBoolean(6), rs.getLong(7), rs.getString(8), rs.getBoolean(9),
                            rs.getBoolean(10), rs.getBoolean(11), rs.getBoolean(12), rs.getBoolean(13),
                            rs.getBoolean(14), rs.getString(15), rs.getBoolean(16), strings(rs.getArray(17)),
                            rs.getBoolean(18), cols);
                    tables.put(t.oid(), t);
                }
            }
        }
    }

    private void loadPolicies() throws SQLException {
        if (tables.isEmpty()) {
            return;
        }
        String sql = "SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive,"
                + " EXISTS (SELECT 1 FROM unnest(p.polroles) x WHERE x = 0 OR pg_has_role(?, x, 'USAGE')),"
                + " (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE pg_get_userbyid(x) END, ', ')"
                + "   FROM unnest(p.polroles) x),"
                + " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)"
                + " FROM pg_policy p WHERE p.polrelid = ANY (?) ORDER BY p.polrelid, p.polname";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, app.oid());
            ps.setArray(2, c.createArrayOf("oid", tables.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    policies.add(new Policy(rs.getLong(1), rs.getString(2), rs.getString(3).charAt(0),
                            rs.getBoolean(4), rs.getBoolean(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
        }
    }

    private void loadTenantFunctions(String setting) throws SQLException {
        // OFFSET 0 keeps the user-schema filter first: pushed down to the scan of pg_proc, the text test would
        // deparse every built-in function too (about 3,300: 40-90 ms a run)
        String sql = "SELECT f.proname FROM (SELECT p.oid, p.proname, p.prosrc FROM pg_proc p"
                + " JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + USER_SCHEMA + " AND p.prokind IN ('f', 'p') OFFSET 0) f"
                + " WHERE position(lower(?) IN lower(coalesce(f.prosrc, '') || ' '"
                + "   || coalesce(pg_get_functiondef(f.oid), ''))) > 0";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, setting);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tenantFunctions.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    private void loadViews(int serverMajor, String column) throws SQLException {
        String invoker = serverMajor >= 15
                ? "coalesce(EXISTS (SELECT 1 FROM unnest(v.reloptions) o WHERE lower(o) IN ('security_invoker=true',"
                + " 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes')), false)"
                : "false"; // PG 14 has no security_invoker: every view runs with its owner's rights
        // pg_relation_is_updatable bits: 4 UPDATE, 8 INSERT, 16 DELETE; pg_trigger.tgtype: 4 INSERT, 8 DELETE,
        // 16 UPDATE, 64 INSTEAD; pg_rewrite.ev_type: 2 UPDATE, 3 INSERT, 4 DELETE
        String sql = "SELECT v.oid, n.nspname, v.relname, v.relkind, v.relowner, pg_get_userbyid(v.relowner),"
                + " has_table_privilege(?, v.oid, 'SELECT'), has_table_privilege(?, v.oid, 'INSERT'),"
                + " has_table_privilege(?, v.oid, 'UPDATE'), has_table_privilege(?, v.oid, 'DELETE'), " + invoker + ","
                + " ARRAY(SELECT DISTINCT d.refobjid FROM pg_rewrite w JOIN pg_depend d"
                + "   ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid AND d.refclassid = 'pg_class'::regclass"
                + "   WHERE w.ev_class = v.oid AND d.refobjid <> v.oid),"
                + " CASE WHEN v.relkind = 'v' THEN pg_relation_is_updatable(v.oid, false) ELSE 0 END,"
                + " (SELECT coalesce(bit_or(t.tgtype::int), 0) FROM pg_trigger t WHERE t.tgrelid = v.oid"
                + "   AND (t.tgtype::int & 64) <> 0),"
                + " (SELECT coalesce(string_agg(r.ev_type::text, ''), '') FROM pg_rewrite r WHERE r.ev_class = v.oid"
                + "   AND r.is_instead AND r.ev_type <> '1' AND r.ev_qual IS NULL),"
                + " ARRAY(SELECT t.tgfoid FROM pg_trigger t WHERE t.tgrelid = v.oid AND (t.tgtype::int & 64) <> 0),"
                + " (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = v.oid"
                + "   AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped),"
                + " ARRAY(SELECT a.attname || '|' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                + "   WHERE a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> ?"
                + "   AND v.relkind = 'v' AND pg_column_is_updatable(v.oid, a.attnum, true) ORDER BY a.attnum)"
                + " FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace"
                + " WHERE v.relkind IN ('v', 'm') AND " + USER_SCHEMA;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= 4; i++) {
                ps.setLong(i, app.oid());
            }
            ps.setString(5, column);
            ps.setString(6, column);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int updatable = rs.getInt(13);
                    int triggers = rs.getInt(14);
                    String rules = rs.getString(15);
                    StringBuilder ownerWrites = new StringBuilder();
                    if (rules.contains("3") || ((updatable & 8) != 0 && (triggers & 4) == 0)) {
                        ownerWrites.append('a');
                    }
                    if (rules.contains("2") || ((updatable & 4) != 0 && (triggers & 16) == 0)) {
                        ownerWrites.append('w');
                    }
                    if (rules.contains("4") || ((updatable & 16) != 0 && (triggers & 8) == 0)) {
                        ownerWrites.append('d');
                    }
                    List<Column> cols = new ArrayList<>();
                    for (String x : strings(rs.getArray(18))) {
                        int bar = x.indexOf('|');
                        cols.add(new Column(x.substring(0, bar), x.substring(bar + 1)));
                    }
                    views.add(new View(rs.getLong(1), Sql.qualified(rs.getString(2), rs.getString(3)),
                            rs.getString(4).charAt(0), rs.getLong(5), rs.getString(6), rs.getBoolean(7),
                            rs.getBoolean(8), rs.getBoolean(9), rs.getBoolean(10), rs.getBoolean(11),
                            longs(rs.getArray(12)), ownerWrites.toString(), longs(rs.getArray(16)), rs.getString(17),
                            cols));
                }
            }
        }
    }

    /** Loads {@link #tableFunctions}: only the probes need them. */
    void loadTableFunctions(String column) throws SQLException {
        String sql = "SELECT p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),"
                + " p.pronargs - p.pronargdefaults"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + USER_SCHEMA + " AND p.prokind = 'f' AND has_function_privilege(?, p.oid, 'EXECUTE')"
                + " AND p.prorettype <> 'trigger'::regtype AND p.pronargs - p.pronargdefaults <= 1"
                + " AND (p.pronargs - p.pronargdefaults = 0 OR format_type(p.proargtypes[0], NULL) IN"
                + "   ('text', 'character varying', 'uuid', 'bigint', 'integer'))"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"
                + "   AND e.objid = p.oid AND e.deptype = 'e')"
                + " AND (EXISTS (SELECT 1 FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid"
                + "   WHERE t.oid = p.prorettype AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped)"
                + "   OR EXISTS (SELECT 1 FROM unnest(p.proargnames, p.proargmodes) x(name, mode)"
                + "   WHERE x.name = ? AND x.mode IN ('o', 't', 'b')))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, app.oid());
            ps.setString(2, column);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String q = Sql.qualified(rs.getString(2), rs.getString(3));
                    tableFunctions.add(new TableFunction(rs.getLong(1), q, q + "(" + rs.getString(4) + ")",
                            rs.getInt(5) == 1));
                }
            }
        }
    }

    private void loadFunctions() throws SQLException {
        String sql = "SELECT p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prosecdef,"
                + " p.proleakproof, p.proowner, pg_get_userbyid(p.proowner), has_function_privilege(?, p.oid, 'EXECUTE'),"
                + " CASE WHEN p.prosecdef AND p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END,"
                + " ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid"
                + "   AND d.refclassid = 'pg_class'::regclass)"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + USER_SCHEMA + " AND (p.prosecdef OR p.proleakproof)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"
                + "   AND e.objid = p.oid AND e.deptype = 'e')";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, app.oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String q = Sql.qualified(rs.getString(2), rs.getString(3));
                    functions.add(new Function(rs.getLong(1), q, q + "(" + rs.getString(4) + ")", rs.getBoolean(5),
                            rs.getBoolean(6), rs.getLong(7), rs.getString(8), rs.getBoolean(9), rs.getString(10),
                            longs(rs.getArray(11))));
                }
            }
        }
    }

    private void loadSettingDefaults(String setting) throws SQLException {
        String sql = "SELECT coalesce(d.datname, ''), coalesce(r.rolname, ''), cfg"
                + " FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                + " LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) cfg"
                + " WHERE lower(cfg) LIKE lower(?) || '=%'"
                + " AND (s.setdatabase = 0 OR d.datname = current_database())"
                + " AND (s.setrole = 0 OR s.setrole = ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, setting);
            ps.setLong(2, app.oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    settingDefaults.add(new SettingDefault(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
    }

    /** @return whether {@code role} has the privileges of {@code owner} (so owns what it owns) */
    boolean hasPrivilegesOf(long role, long owner) throws SQLException {
        if (role == owner) {
            return true;
        }
        String key = role + ":" + owner;
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
