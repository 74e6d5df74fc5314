package dev.prodlike.postgres;

import javax.sql.DataSource;
import org.apiguardian.api.API;

/**
 * The test's own migrated database on a production-like PostgreSQL server; inject it into a test method.
 *
 * <pre>{@code
 * @Test
 * void isolates(TenantDatabase db) throws SQLException {
 *     try (Connection c = db.asTenant("acme").getConnection()) { ... }
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface TenantDatabase {

    /** @return the JDBC URL of this test's database (without credentials) */
    String jdbcUrl();

    /** @return the database name */
    String databaseName();

    /** @return a DataSource connecting as the application role, no tenant set */
    DataSource appDataSource();

    /**
     * @return a DataSource connecting as the migration owner (a superuser on servers prodlike provisions); use it to
     *     seed data across tenants, never to test what the service can see
     */
    DataSource ownerDataSource();

    /**
     * @param tenant a tenant id
     * @return a DataSource as the app role whose connections carry the tenant setting, and drop it on close
     * @throws IllegalStateException when the profile declares no {@code postgres.tenant-setting}
     */
    DataSource asTenant(String tenant);

    /** @return the application role's name */
    String appRole();

    /** @return the tenant setting, e.g. {@code app.current_tenant} */
    String tenantSetting();

    /** @return the version the server reports, e.g. {@code 16.4} */
    String serverVersion();

    /** @return faults to inject into this database, for resilience tests */
    DatabaseFaults faults();
}
