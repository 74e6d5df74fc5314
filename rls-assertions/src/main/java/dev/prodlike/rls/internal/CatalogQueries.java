package dev.prodlike.rls.internal;

/**
 * The catalog queries of an audit, sent to the server together ({@link CatalogLoader#load}). Relation and function
 * names come back already quoted by the server ({@code quote_ident}): it knows the reserved words of its own version.
 */
final class CatalogQueries {

    private CatalogQueries() {}

    static final String USER_SCHEMA =
            "n.nspname NOT IN ('pg_catalog', 'information_schema')" + " AND n.nspname NOT LIKE 'pg\\_%'";

    /** A relation's schema-qualified name, quoted where PostgreSQL needs it. */
    private static String quoted(String namespace, String name) {
        return "quote_ident(" + namespace + ".nspname) || '.' || quote_ident(" + name + ")";
    }

    /** The app role's oid, for the statements below that start with it: {@code WITH app AS (...) SELECT ... app.oid}. */
    private static final String APP = "WITH app AS (SELECT oid FROM pg_roles WHERE rolname = ?) ";

    static final String ROLE = "SELECT r.oid, r.rolsuper, r.rolbypassrls,"
            + " ARRAY(SELECT b.rolname || CASE WHEN b.rolsuper THEN ' (SUPERUSER)' ELSE ' (BYPASSRLS)' END"
            + "   FROM pg_roles b WHERE (b.rolsuper OR b.rolbypassrls) AND b.oid <> r.oid AND NOT r.rolsuper"
            + "   AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1),"
            + " current_setting('server_version_num')::int / 10000,"
            + " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
            + " FROM pg_roles r WHERE r.rolname = ?";

    static final String ROLES = "SELECT oid, rolname, rolsuper, rolbypassrls FROM pg_roles";

    /** Relations with the tenant column: tables and partitioned tables in user schemas. */
    private static final String TENANT_RELATIONS = " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped"
            + " WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMA;

    static final String TABLES = APP + "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity,"
            + " c.relforcerowsecurity, c.relowner, pg_get_userbyid(c.relowner),"
            + " pg_has_role(app.oid, c.relowner, 'USAGE') OR pg_has_role(app.oid, c.relowner, 'MEMBER'),"
            + " has_table_privilege(app.oid, c.oid, 'SELECT'), has_table_privilege(app.oid, c.oid, 'INSERT'),"
            + " has_table_privilege(app.oid, c.oid, 'UPDATE'), has_table_privilege(app.oid, c.oid, 'DELETE'),"
            + " has_table_privilege(app.oid, c.oid, 'TRUNCATE'), format_type(a.atttypid, a.atttypmod),"
            + " a.attnotnull, ARRAY(SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid),"
            + " c.relispartition,"
            + " ARRAY(SELECT x.attname || '|' || format_type(x.atttypid, x.atttypmod) FROM pg_attribute x"
            + "   WHERE x.attrelid = c.oid AND x.attnum > 0 AND NOT x.attisdropped AND NOT x.atthasdef"
            + "   AND x.attidentity = '' AND x.attgenerated = '' AND x.attname <> a.attname ORDER BY x.attnum),"
            + " " + quoted("n", "c.relname")
            + " FROM app," + TENANT_RELATIONS.substring(" FROM".length()) + " ORDER BY n.nspname, c.relname";

    /** Of every relation with the tenant column; those of relations not audited are dropped when read. */
    static final String POLICIES = APP + "SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive,"
            + " EXISTS (SELECT 1 FROM unnest(p.polroles) x WHERE x = 0 OR pg_has_role(app.oid, x, 'USAGE')),"
            + " (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE pg_get_userbyid(x) END, ', ')"
            + "   FROM unnest(p.polroles) x),"
            + " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)"
            + " FROM app, pg_policy p WHERE p.polrelid IN (SELECT c.oid" + TENANT_RELATIONS + ")"
            + " ORDER BY p.polrelid, p.polname";

    /**
     * The other relations a read policy of a tenant table reads (sub-selects, and the relations of SQL functions it
     * calls), with what the app role may write there and the columns a write can set.
     */
    static final String POLICY_READS = APP + "SELECT DISTINCT p.polrelid, p.polname, h.oid,"
            + " " + quoted("hn", "h.relname") + ","
            + " has_table_privilege(app.oid, h.oid, 'INSERT'), has_table_privilege(app.oid, h.oid, 'UPDATE'),"
            + " has_table_privilege(app.oid, h.oid, 'SELECT'),"
            + " ARRAY(SELECT x.attname || '|' || format_type(x.atttypid, x.atttypmod) || '|'"
            + "   || (x.atthasdef OR x.attidentity <> '' OR NOT x.attnotnull)::text FROM pg_attribute x"
            + "   WHERE x.attrelid = h.oid AND x.attnum > 0 AND NOT x.attisdropped AND x.attgenerated = ''"
            + "   ORDER BY x.attnum)"
            + " FROM app, pg_policy p"
            + " JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid"
            + " LEFT JOIN pg_depend f ON d.refclassid = 'pg_proc'::regclass AND f.classid = 'pg_proc'::regclass"
            + "   AND f.objid = d.refobjid AND f.refclassid = 'pg_class'::regclass"
            + " JOIN pg_class h ON h.oid = CASE WHEN d.refclassid = 'pg_class'::regclass THEN d.refobjid"
            + "   ELSE f.refobjid END"
            + " JOIN pg_namespace hn ON hn.oid = h.relnamespace"
            + " WHERE p.polcmd IN ('r', '*') AND h.oid <> p.polrelid AND h.relkind IN ('r', 'p')"
            + " AND p.polrelid IN (SELECT c.oid" + TENANT_RELATIONS + ")"
            + " AND EXISTS (SELECT 1 FROM unnest(p.polroles) x WHERE x = 0 OR pg_has_role(app.oid, x, 'USAGE'))"
            + " ORDER BY 1, 2, 3";

    // OFFSET 0 keeps the user-schema filter first: pushed down to the scan of pg_proc, the text test would deparse
    // every built-in function too (about 3,300: 40-90 ms a run)
    static final String TENANT_FUNCTIONS = "SELECT f.proname FROM (SELECT p.oid, p.proname, p.prosrc"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE " + USER_SCHEMA + " AND p.prokind IN ('f', 'p') OFFSET 0) f"
            + " WHERE position(lower(?) IN lower(coalesce(f.prosrc, '') || ' '"
            + "   || coalesce(pg_get_functiondef(f.oid), ''))) > 0";

    // security_invoker: PostgreSQL 14 has none (every view runs with its owner's rights).
    // pg_relation_is_updatable bits: 4 UPDATE, 8 INSERT, 16 DELETE; pg_trigger.tgtype: 4 INSERT, 8 DELETE,
    // 16 UPDATE, 64 INSTEAD; pg_rewrite.ev_type: 2 UPDATE, 3 INSERT, 4 DELETE
    static final String VIEWS = APP + "SELECT v.oid, n.nspname, v.relname, v.relkind, v.relowner,"
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
            + "   AND v.relkind = 'v' AND pg_column_is_updatable(v.oid, a.attnum, true) ORDER BY a.attnum),"
            + " " + quoted("n", "v.relname")
            + " FROM app, pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace"
            + " WHERE v.relkind IN ('v', 'm') AND " + USER_SCHEMA;

    /**
     * SECURITY DEFINER and LEAKPROOF functions; with the probes also every function the app role can call with no
     * argument or one it can supply (a tenant id), for the non-interference probe.
     */
    static final String FUNCTIONS = APP + "SELECT p.oid, n.nspname, p.proname,"
            + " pg_get_function_identity_arguments(p.oid), p.prosecdef, p.proleakproof, p.proowner,"
            + " pg_get_userbyid(p.proowner), has_function_privilege(app.oid, p.oid, 'EXECUTE'),"
            + " CASE WHEN p.prokind IN ('f', 'p') AND (p.prosecdef OR ?) THEN pg_get_functiondef(p.oid) END,"
            + " ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid"
            + "   AND d.refclassid = 'pg_class'::regclass),"
            + " " + quoted("n", "p.proname") + ","
            + " p.prokind = 'f' AND p.prorettype NOT IN ('trigger'::regtype, 'void'::regtype, 'event_trigger'::regtype)"
            + "   AND p.pronargs - p.pronargdefaults <= 1"
            + "   AND (p.pronargs - p.pronargdefaults = 0 OR format_type(p.proargtypes[0], NULL) IN"
            + "   ('text', 'character varying', 'uuid', 'bigint', 'integer')),"
            + " p.pronargs - p.pronargdefaults"
            + " FROM app, pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE " + USER_SCHEMA + " AND (p.prosecdef OR p.proleakproof OR (? AND p.prokind = 'f'"
            + "   AND has_function_privilege(app.oid, p.oid, 'EXECUTE')))"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass"
            + "   AND e.objid = p.oid AND e.deptype = 'e')";

    static final String SETTING_DEFAULTS = APP + "SELECT coalesce(d.datname, ''), coalesce(r.rolname, ''),"
            + " cfg FROM app, pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase"
            + " LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) cfg"
            + " WHERE lower(cfg) LIKE lower(?) || '=%'"
            + " AND (s.setdatabase = 0 OR d.datname = current_database())"
            + " AND (s.setrole = 0 OR s.setrole = app.oid)";

    /** Set-returning or composite functions the app role can call whose result has the tenant column. */
    static final String TABLE_FUNCTIONS = APP + "SELECT p.oid, n.nspname, p.proname,"
            + " pg_get_function_identity_arguments(p.oid), p.pronargs - p.pronargdefaults,"
            + " " + quoted("n", "p.proname")
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

    /**
     * User sequences with their last value when called ({@code pg_sequence_last_value} is null otherwise): read here,
     * a hundred sequences cost the owner 10 ms; as a {@code UNION ALL} of {@code SELECT last_value, is_called} from
     * each, which plans them as one statement, 27 ms (issue 24).
     */
    static final String SEQUENCES = "SELECT c.oid::regclass::text, CASE WHEN pg_catalog.has_sequence_privilege(c.oid,"
            + " 'SELECT,USAGE') THEN pg_catalog.pg_sequence_last_value(c.oid)::text END FROM pg_class c JOIN pg_namespace"
            + " n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " + USER_SCHEMA;
}
