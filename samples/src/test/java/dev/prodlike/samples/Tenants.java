package dev.prodlike.samples;

import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Test data every class starts from: two tenants, acme and globex. */
final class Tenants {

    static final String ACME = "acme";
    static final String GLOBEX = "globex";

    private Tenants() {}

    /**
     * Creates the tenants. Tenants are created by an admin process in production, not by the service, so the tests
     * seed them as the migration owner: {@code db.ownerDataSource()} is for seeding, never for what the service sees.
     */
    static void seed(TenantDatabase db) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex')");
        }
    }
}
