package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;

/** The SQL a fix proposes to confine a table to the tenant setting. */
final class IsolationSql {

    private final String column;
    private final String setting;

    IsolationSql(String column, String setting) {
        this.column = column;
        this.setting = setting;
    }

    /** @return the condition a correct policy uses: the tenant column equals the tenant setting, cast to its type */
    String predicate(Catalog.Table t) {
        String read = "current_setting(" + SqlValues.literal(setting) + ", true)";
        String type = t.tenantType();
        boolean textual = type.equals("text") || type.startsWith("character varying") || type.equals("citext");
        return Sql.ident(column) + " = " + (textual ? read : read + "::" + type);
    }

    /** @return the statements that confine a table to the tenant: RLS enabled and forced, one policy for all */
    String statements(Catalog.Table t) {
        String p = predicate(t);
        return "ALTER TABLE " + t.qualified() + " ENABLE ROW LEVEL SECURITY;\n"
                + "ALTER TABLE " + t.qualified() + " FORCE ROW LEVEL SECURITY;\n"
                + "CREATE POLICY tenant_isolation ON " + t.qualified() + "\n"
                + "    USING (" + p + ")\n    WITH CHECK (" + p + ");";
    }
}
