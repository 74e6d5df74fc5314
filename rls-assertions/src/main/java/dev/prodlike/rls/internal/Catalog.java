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
    /** The user sequences (read with the probes only), whose state the audit restores after probing. */
    final List<String> sequences = new ArrayList<>();
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

    /**
     * Reads the catalogs in one round trip: every query goes to the server at once and their results are read in
     * order (the app role's oid comes from a CTE in each, not from an earlier query's result).
     *
     * @param dynamic whether the probes will run: then the functions to probe and the sequences to restore are read too
     */
    static Catalog load(Connection c, String appRole, String column, String setting, Set<String> only,
                        boolean dynamic) throws SQLException {
        List<String> sql = new ArrayList<>();
        List<String> params = new ArrayList<>();
        sql.add(ROLE);
        params.add(appRole);
        sql.add(ROLES);
        sql.add(TABLES);
        params.add(appRole);
        params.add(column);
        sql.add(POLICIES);
        params.add(appRole);
        params.add(column);
        sql.add(TENANT_FUNCTIONS);
        params.add(setting);
        sql.add(VIEWS);
        params.add(appRole);
        params.add(column);
        params.add(column);
        sql.add(FUNCTIONS);
        params.add(appRole);
        sql.add(SETTING_DEFAULTS);
        params.add(appRole);
        params.add(setting);
        if (dynamic) {
            sql.add(TABLE_FUNCTIONS);
            params.add(appRole);
            params.add(column);
            params.add(column);
            sql.add(SEQUENCES);
        }
        try (PreparedStatement ps = c.prepareStatement(String.join(";\n", sql))) {
            for (int i = 0; i < params.size(); i++) {
                ps.setString(i + 1, params.get(i));
            }
            ps.execute();
            Catalog cat;
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new IllegalStateException("The app role '" + appRole + "' does not exist in this cluster");
                }
                cat = new Catalog(c, new Role(rs.getLong(1), appRole, rs.getBoolean(2), rs.getBoolean(3),
                        strings(rs.getArray(4))), rs.getInt(5));
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

    /** The app role's oid, for the statements below that start with it: {@code WITH app AS (...) SELECT ... app.oid}. */
    private static final String APP = "WITH app AS (SELECT oid FROM pg_roles WHERE rolname = ?) ";

    private static final String ROLE = "SELECT r.oid, r.rolsuper, r.rolbypassrls,"
            + " ARRAY(SELECT b.rolname || CASE WHEN b.rolsuper THEN ' (SUPERUSER)' ELSE ' (BYPASSRLS)' END"
            + "   FROM pg_roles b WHERE (b.rolsuper OR b.rolbypassrls) AND b.oid <> r.oid AND NOT r.rolsuper"
            + "   AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1),"
            + " current_setting('server_version_num')::int / 10000"
            + " FROM pg_roles r WHERE r.rolname = ?";

    private static final String ROLES = "SELECT oid, rolname, rolsuper, rolbypassrls FROM pg_roles";

    /** Relations with the tenant column: tables and partitioned tables in user schemas. */
    private static final String TENANT_RELATIONS = " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped"
            + " WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMA;

    private static final String TABLES = APP + "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity,"
            + " c.relforcerowsecurity, c.relowner, pg_get_userbyid(c.relowner),"
            + " pg_has_role(app.oid, c.relowner, 'USAGE') OR pg_has_role(app.oid, c.relowner, 'MEMBER'),"
            + " has_table_privilege(app.oid, c.oid, 'SELECT'), has_table_privilege(app.oid, c.oid, 'INSERT'),"
            + " has_table_privilege(app.oid, c.oid, 'UPDATE'), has_table_privilege(app.oid, c.oid, 'DELETE'),"
            + " has_table_privilege(app.oid, c.oid, 'TRUNCATE'), format_type(a.atttypid, a.atttypmod),"
            + " a.attnotnull, ARRAY(SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid),"
            + " c.relispartition,"
            + " ARRAY(SELECT x.attname || '|' || format_type(x.atttypid, x.atttypmod) FROM pg_attribute x"
            + "   WHERE x.attrelid = c.oid AND x.attnum > 0 AND NOT x.attisdropped AND NOT x.atthasdef"
            + "   AND x.attidentity = '' AND x.attgenerated = '' AND x.attname <> a.attname ORDER BY x.attnum)"
            + " FROM app," + TENANT_RELATIONS.substring(" FROM".length()) + " ORDER BY n.nspname, c.relname";

    /** Of every relation with the tenant column; those of relations not audited are dropped when read. */
    private static final String POLICIES = APP + "SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive,"
            + " EXISTS (SELECT 1 FROM unnest(p.polroles) x WHERE x = 0 OR pg_has_role(app.oid, x, 'USAGE')),"
            + " (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE pg_get_userbyid(x) END, ', ')"
            + "   FROM unnest(p.polroles) x),"
            + " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)"
            + " FROM app, pg_policy p WHERE p.polrelid IN (SELECT c.oid" + TENANT_RELATIONS + ")"
            + " ORDER BY p.polrelid, p.polname";

    // OFFSET 0 keeps the user-schema filter first: pushed down to the scan of pg_proc, the text test would deparse
    // every built-in function too (about 3,300: 40-90 ms a run)
    private static final String TENANT_FUNCTIONS = "SELECT f.proname FROM (SELECT p.oid, p.proname, p.prosrc"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE " + USER_SCHEMA + " AND p.prokind IN ('f', 'p') OFFSET 0) f"
            + " WHERE position(lower(?) IN lower(coalesce(f.prosrc, '') || ' '"
            + "   || coalesce(pg_get_functiondef(f.oid), ''))) > 0";

    // security_invoker: PostgreSQL 14 has none (every view runs with its owner's rights).
    // pg_relation_is_updatable bits: 4 UPDATE, 8 INSERT, 16 DELETE; pg_trigger.tgtype: 4 INSERT, 8 DELETE,
    // 16 UPDATE, 64 INSTEAD; pg_rewrite.ev_type: 2 UPDATE, 3 INSERT, 4 DELETE
    private static final String VIEWS = APP + "SELECT v.oid, n.nspname, v.relname, v.relkind, v.relowner,"
            + " pg_get_userbyid(v.relowner),"
            + " has_table_privilege(app.oid, v.oid, 'SELECT'), has_table_privilege(app.oid, v.oid, 'INSERT'),"
            + " has_table_privilege(app.oid, v.oid, 'UPDATE'), has_table_privilege(app.oid, v.oid, 'DELETE'),"
            + " CASE WHEN current_setting('server_version_num')::int >= 150000"
            + " THEN coalesce(EXISTS (SELECT 1 FROM unnest(v.reloptions) o WHERE lower(o) IN ('security_invoker=true',"
            + " 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes')), false) ELSE false END,"
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
            + " FROM app, pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace"
            + " WHERE v.relkind IN ('v', 'm') AND " + USER_SCHEMA;

    private static final String FUNCTIONS = APP + "SELECT p.oid, n.nspname, p.proname,"
            + " pg_get_function_identity_arguments(p.oid), p.prosecdef, p.proleakproof, p.proowner,"
            + " pg_get_userbyid(p.proowner), has_function_privilege(app.oid, p.oid, 'EXECUTE'),"
            + " CASE WHEN p.prosecdef AND p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END,"
            + " ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid"
            + "   AND d.refclassid = 'pg_class'::regclass)"
            + " FROM app, pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE " + USER_SCHEMA + " AND (p.prosecdef OR p.proleakproof)"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"
            + "   AND e.objid = p.oid AND e.deptype = 'e')";

    private static final String SETTING_DEFAULTS = APP + "SELECT coalesce(d.datname, ''), coalesce(r.rolname, ''),"
            + " cfg FROM app, pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase"
            + " LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) cfg"
            + " WHERE lower(cfg) LIKE lower(?) || '=%'"
            + " AND (s.setdatabase = 0 OR d.datname = current_database())"
            + " AND (s.setrole = 0 OR s.setrole = app.oid)";

    /** Set-returning or composite functions the app role can call whose result has the tenant column. */
    private static final String TABLE_FUNCTIONS = APP + "SELECT p.oid, n.nspname, p.proname,"
            + " pg_get_function_identity_arguments(p.oid), p.pronargs - p.pronargdefaults"
            + " FROM app, pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE " + USER_SCHEMA + " AND p.prokind = 'f' AND has_function_privilege(app.oid, p.oid, 'EXECUTE')"
            + " AND p.prorettype <> 'trigger'::regtype AND p.pronargs - p.pronargdefaults <= 1"
            + " AND (p.pronargs - p.pronargdefaults = 0 OR format_type(p.proargtypes[0], NULL) IN"
            + "   ('text', 'character varying', 'uuid', 'bigint', 'integer'))"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"
            + "   AND e.objid = p.oid AND e.deptype = 'e')"
            + " AND (EXISTS (SELECT 1 FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid"
            + "   WHERE t.oid = p.prorettype AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped)"
            + "   OR EXISTS (SELECT 1 FROM unnest(p.proargnames, p.proargmodes) x(name, mode)"
            + "   WHERE x.name = ? AND x.mode IN ('o', 't', 'b')))";

    private static final String SEQUENCES = "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " + USER_SCHEMA;

    private void readRoles(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                roles.put(rs.getLong(1), new Role(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        List.of()));
            }
        }
    }

    private void readTables(ResultSet rs, Set<String> only) throws SQLException {
        try (rs) {
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

    private void readPolicies(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                if (tables.containsKey(rs.getLong(1))) {
                    policies.add(new Policy(rs.getLong(1), rs.getString(2), rs.getString(3).charAt(0),
                            rs.getBoolean(4), rs.getBoolean(5), rs.getString(6), rs.getString(7), rs.getString(8)));
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

    private void readTableFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String q = Sql.qualified(rs.getString(2), rs.getString(3));
                tableFunctions.add(new TableFunction(rs.getLong(1), q, q + "(" + rs.getString(4) + ")",
                        rs.getInt(5) == 1));
            }
        }
    }

    private void readFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String q = Sql.qualified(rs.getString(2), rs.getString(3));
                functions.add(new Function(rs.getLong(1), q, q + "(" + rs.getString(4) + ")", rs.getBoolean(5),
                        rs.getBoolean(6), rs.getLong(7), rs.getString(8), rs.getBoolean(9), rs.getString(10),
                        longs(rs.getArray(11))));
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
