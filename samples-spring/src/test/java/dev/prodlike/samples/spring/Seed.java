package dev.prodlike.samples.spring;

import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Test data, written as the migration owner across tenants (the service itself could not). */
final class Seed {

    /** Acme's order seeded into every test's database. */
    static final long ACME_ORDER = 1;
    /** Globex's order seeded into every test's database. */
    static final long GLOBEX_ORDER = 2;

    private Seed() {}

    static void twoTenants(TenantDatabase db) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex')");
            s.execute("INSERT INTO orders (tenant_id, customer_email) VALUES"
                    + " ('acme', 'wile@acme.test'), ('globex', 'hank@globex.test')");
        }
    }
}
