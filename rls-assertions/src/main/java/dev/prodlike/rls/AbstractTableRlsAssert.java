package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.internal.Messages;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one tenant table.
 *
 * <pre>{@code
 * assertThat(db).table("orders").hasRowLevelSecurity().isForced().isolatesTenants();
 * }</pre>
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractTableRlsAssert<SELF extends AbstractTableRlsAssert<SELF>>
        extends AbstractAssert<SELF, TenantDatabase> {

    private final String table;
    private final String column;

    /**
     * @param db       the database under test
     * @param table    the table, bare or schema-qualified
     * @param column   the tenant column
     * @param selfType the concrete assertion class
     */
    protected AbstractTableRlsAssert(TenantDatabase db, String table, String column, Class<?> selfType) {
        super(db, selfType);
        this.table = table;
        this.column = column;
    }

    /**
     * Verifies that row-level security is enabled ({@code relrowsecurity}).
     *
     * @return this assertion
     */
    public SELF hasRowLevelSecurity() {
        Flags f = flags();
        if (!f.rls) {
            failWithMessage(
                    "%s",
                    "Expecting table " + f.name + "\nto have row-level security enabled\nbut"
                            + " relrowsecurity = false: every role with a grant reads all tenants' rows.\nFix:\n  ALTER TABLE "
                            + f.name + " ENABLE ROW LEVEL SECURITY;\n  ALTER TABLE " + f.name
                            + " FORCE ROW LEVEL SECURITY;");
        }
        return myself;
    }

    /**
     * Verifies that row-level security is forced ({@code relforcerowsecurity}), so it applies to the owner too.
     *
     * @return this assertion
     */
    public SELF isForced() {
        Flags f = flags();
        if (!f.forced) {
            failWithMessage(
                    "%s",
                    "Expecting table " + f.name + "\nto force row-level security\nbut"
                            + " relforcerowsecurity = false: its owner " + f.owner + " (and every member of " + f.owner
                            + ") bypasses its policies.\nFix:\n  ALTER TABLE " + f.name + " FORCE ROW LEVEL SECURITY;");
        }
        return myself;
    }

    /**
     * Verifies with an {@link RlsAudit} limited to this table (static and dynamic) that tenants are isolated in it:
     * table flags, policies, the app role, views and functions over it, and probes as the app role for every pair
     * of tenants with rows. Fails with all findings at once.
     *
     * @return this assertion
     */
    public SELF isolatesTenants() {
        isNotNull();
        IsolationReport report =
                RlsAudit.of(actual).tenantColumn(column).tables(table).run();
        if (report.tenantTables().isEmpty()) {
            failWithMessage(
                    "%s",
                    "Expecting table " + table + " in database " + report.database()
                            + "\nto isolate tenants\nbut it has no column " + column
                            + " (or does not exist).\nFix: name"
                            + " the tenant column with assertThat(db).withTenantColumn(\"...\").table(\"" + table
                            + "\").");
        }
        String name = report.tenantTables().get(0);
        List<Finding> findings =
                report.findings().stream().filter(f -> f.concerns(name)).toList();
        if (!findings.isEmpty()) {
            failWithMessage(
                    "%s",
                    "Expecting table " + name + " in database " + report.database()
                            + " (tenants " + report.tenants() + ")\nto isolate tenants for role " + report.appRole()
                            + "\nbut "
                            + Messages.leaks(findings));
        }
        return myself;
    }

    private record Flags(String name, boolean rls, boolean forced, String owner) {}

    private Flags flags() {
        isNotNull();
        try (Connection c = actual.ownerDataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relrowsecurity,"
                                + " c.relforcerowsecurity, pg_get_userbyid(c.relowner) FROM pg_class c"
                                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    failWithMessage(
                            "%s",
                            "Expecting table " + table + " to exist in database " + actual.databaseName()
                                    + "\nbut to_regclass('" + table + "') found nothing.");
                }
                return new Flags(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getString(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read pg_class for " + table + ": " + e.getMessage(), e);
        }
    }
}
