package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what one tenant sees, connecting as the app role with the tenant setting set
 * ({@link TenantDatabase#asTenant(String)}).
 *
 * <pre>{@code
 * assertThatTenant(db, "acme").seesOnlyOwnRowsIn("orders");
 * }</pre>
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractTenantRlsAssert<SELF extends AbstractTenantRlsAssert<SELF>>
        extends AbstractAssert<SELF, TenantDatabase> {

    private final String tenant;
    private String column = RlsAudit.DEFAULT_TENANT_COLUMN;

    /**
     * @param db       the database under test
     * @param tenant   the tenant to act as
     * @param selfType the concrete assertion class
     */
    protected AbstractTenantRlsAssert(TenantDatabase db, String tenant, Class<?> selfType) {
        super(db, selfType);
        this.tenant = Objects.requireNonNull(tenant, "tenant");
    }

    /**
     * @param tenantColumn the column that holds the tenant id (default {@value RlsAudit#DEFAULT_TENANT_COLUMN})
     * @return this assertion
     */
    public SELF withTenantColumn(String tenantColumn) {
        this.column = Objects.requireNonNull(tenantColumn, "tenantColumn");
        return myself;
    }

    /**
     * Verifies that, acting as the tenant, a {@code SELECT} on the table returns no row of another tenant. Fails
     * as well when no other tenant has rows there (nothing would be proven) or the query fails.
     *
     * @param table the table, bare or schema-qualified
     * @return this assertion
     */
    public SELF seesOnlyOwnRowsIn(String table) {
        isNotNull();
        String col = Sql.ident(column);
        String sql = "SELECT " + col + "::text, count(*) FROM " + table + " GROUP BY 1 ORDER BY 1";
        Map<String, Long> all;
        try {
            all = counts(actual.ownerDataSource().getConnection(), sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count rows of " + table + " as the owner: " + e.getMessage(), e);
        }
        Map<String, Long> others = new TreeMap<>(all);
        others.remove(tenant);
        if (others.isEmpty()) {
            failWithMessage(
                    "%s",
                    "Expecting tenant " + tenant + " to see only its own rows in " + table
                            + "\nbut no other tenant has rows there (owner sees " + all + "), so isolation cannot be"
                            + " proven.\nFix: seed a second tenant as the owner first, e.g. through db.ownerDataSource():\n"
                            + "  INSERT INTO " + table + " (" + column + ", ...) VALUES ('other-tenant', ...);");
        }
        Map<String, Long> seen;
        try {
            seen = counts(actual.asTenant(tenant).getConnection(), sql);
        } catch (SQLException e) {
            failWithMessage(
                    "%s",
                    "Expecting tenant " + tenant + " to see only its own rows in " + table
                            + "\nbut as role " + actual.appRole() + " with " + actual.tenantSetting() + " = '" + tenant
                            + "' the query failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")\n  "
                            + sql);
            return myself;
        }
        Map<String, Long> foreign = new TreeMap<>(seen);
        foreign.remove(tenant);
        if (!foreign.isEmpty()) {
            failWithMessage(
                    "%s",
                    "Expecting tenant " + tenant + " to see only its own rows in " + table
                            + "\nbut as role " + actual.appRole() + " with " + actual.tenantSetting() + " = '" + tenant
                            + "' it saw " + foreign + " (rows per tenant; it sees " + seen + ", the owner sees " + all
                            + ")\n  "
                            + sql + "\nFix: confine every policy that applies to " + actual.appRole() + ", e.g.\n"
                            + "  ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY;\n  ALTER TABLE " + table
                            + " FORCE ROW LEVEL SECURITY;\n  CREATE POLICY tenant_isolation ON " + table + " USING ("
                            + column
                            + " = current_setting('" + actual.tenantSetting() + "', true));\n"
                            + "RlsAudit.of(db).tables(\"" + table + "\").run() names the policy or grant at fault.");
        }
        return myself;
    }

    private static Map<String, Long> counts(Connection connection, String sql) throws SQLException {
        try (Connection c = connection;
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            Map<String, Long> out = new TreeMap<>();
            while (rs.next()) {
                if (rs.getString(1) != null) { // rows without a tenant belong to no tenant
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        }
    }
}
