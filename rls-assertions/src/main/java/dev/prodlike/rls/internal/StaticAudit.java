package dev.prodlike.rls.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog checks: everything that can be seen without running a query as the app role. The findings come in a
 * fixed order (role, then each table and its policies, views, functions), which the report keeps.
 */
final class StaticAudit {

    private final Catalog cat;
    private final String column;
    private final String setting;
    private final PolicyExpression expressions;

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
        IsolationSql isolation = new IsolationSql(column, setting);
        TableFindings tables = new TableFindings(cat, column, isolation);
        PolicyFindings policies = new PolicyFindings(cat, column, setting, expressions, isolation);
        List<Cause> causes = new ArrayList<>(new RoleFindings(cat, setting).find());
        for (Catalog.Table t : cat.tables.values()) {
            causes.addAll(tables.find(t));
            // policies matter only on a table the app role uses directly with RLS on: otherwise the table's own
            // finding says it all, or views and functions are the way in (checked below)
            if (t.reachable() && t.rls()) {
                causes.addAll(policies.find(t));
            }
        }
        causes.addAll(new ViewFindings(cat, column, setting).find());
        causes.addAll(new FunctionFindings(cat).find());
        return causes;
    }
}
