package dev.prodlike.rls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.postgres.internal.TestDatabase;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The table probes of a large schema run on two connections; the findings are exactly those of one connection, also
 * where the two connections' probes lock each other's rows: child tables (probed by the first connection) reference
 * their parents (probed by the second) through composite foreign keys with the tenant, with ON DELETE CASCADE, and
 * leaks sit in both halves. Isolated: it changes when the audit uses two connections.
 */
@Isolated
@ProductionLikeDatabase
class TwoConnectionProbesTests {

    private static final int PAIRS = 12;

    @Test
    void findingsAreThoseOfOneConnection(TenantDatabase db) throws SQLException {
        execute(db, schema(db.appRole()));
        String before = fingerprint(db);

        Auditor.Audit one = audit(db, Integer.MAX_VALUE);
        Auditor.Audit two = audit(db, 2);
        Auditor.Audit again = audit(db, 2);

        assertThat(one.stats().connections()).isEqualTo(1);
        assertThat(one.report().tenantTables()).hasSize(2 * PAIRS + 1);
        assertThat(one.report().findings())
                .as(one.report().toString())
                .extracting(Finding::relation)
                .contains("public.c03", "public.c07", "public.p05", "public.p09", "public.p11", "public.p12");
        assertThat(one.report().toString()).contains("DISCARD ALL", "a pool of one");
        // what the second connection's probes of p12 show only once they run again, after their lock errors
        assertThat(one.report().findings())
                .filteredOn(f -> f.relation().equals("public.p12"))
                .flatExtracting(Finding::consequences)
                .extracting(Finding::leakClass)
                .contains(LeakClass.CROSS_TENANT_UPDATE, LeakClass.CROSS_TENANT_DELETE);
        for (Auditor.Audit a : List.of(two, again)) {
            assertThat(a.stats().connections()).as("connections used").isEqualTo(2);
            assertThat(a.stats().oneConnection()).isNull();
            // the fixture holds the parents' rows until a probe of the second connection gave up waiting for them
            assertThat(a.stats().lockRetries())
                    .as("probes run again after a lock error")
                    .isPositive();
            assertThat(a.report().findings())
                    .as(a.report().toString())
                    .isEqualTo(one.report().findings());
        }
        assertThat(fingerprint(db)).isEqualTo(before);
    }

    @Test
    void anAppRoleLimitedToOneConnectionIsProbedOnOneAndSaysSo(TenantDatabase db)
            throws SQLException, InterruptedException {
        execute(db, schema(db.appRole()));
        Auditor.Audit one = audit(db, Integer.MAX_VALUE);
        awaitNoAppConnections(db); // a closed connection's server process ends a moment later
        // the sessions prodlike keeps as the app role (opened ahead, parked: in databases waiting for tests, and one
        // opened ahead in this one) count against the role's limit too (docs/postgres.md): one more than those
        execute(db, "ALTER ROLE " + db.appRole() + " CONNECTION LIMIT " + (keptAppConnections(db) + 1));
        try {
            Auditor.Audit limited = audit(db, 2);

            assertThat(limited.stats().connections()).isEqualTo(1);
            assertThat(limited.stats().oneConnection())
                    .startsWith("a second app-role connection could not be opened")
                    .contains("too many connections for role");
            assertThat(limited.report().notes())
                    .anySatisfy(n -> assertThat(n)
                            .startsWith(
                                    "the table probes ran on one app-role connection: a second app-role connection"));
            assertThat(limited.report().findings())
                    .as(limited.report().toString())
                    .isNotEmpty()
                    .isEqualTo(one.report().findings());
        } finally {
            execute(db, "ALTER ROLE " + db.appRole() + " CONNECTION LIMIT -1");
        }
    }

    private static Auditor.Audit audit(TenantDatabase db, int twoConnectionsFrom) {
        return Auditor.audit(db, "tenant_id", Set.of(), true, new Auditor.Tuning(twoConnectionsFrom));
    }

    /**
     * Pairs of parent and child tenant tables; leaks: c03, p05 insert any row, c07, p12 read and write all, p11 no
     * RLS, p09 shows every row without a tenant (also after DISCARD ALL and in a pool: evidence the first connection
     * gathers while the second still probes). p12, the last table, is always probed by the second connection.
     *
     * <p>Lock contention by handshake, not by timing: the first write to c01 (first connection) locks p12's rows,
     * takes advisory lock 4242, and holds both until it has seen a backend wait for it and then stop waiting (the
     * second connection's probes of p12 gave up after their lock timeout, so they run again alone, and the leak they
     * show is found only then). A write to p12 (second connection) first waits until 4242 is held by another backend,
     * so it cannot pass before the rows are locked.
     * Each side waits only while the other app-role connection exists and at most 10 s; a sequence makes the first
     * write the only one that waits (the audit restores sequences).
     */
    private static String schema(String app) {
        StringBuilder sql = new StringBuilder();
        for (int i = 1; i <= PAIRS; i++) {
            String p = String.format("p%02d", i);
            String c = String.format("c%02d", i);
            String check = " WITH CHECK (tenant_id = current_setting('app.current_tenant', true))";
            String using = i == 12
                    ? "true"
                    : i == 9
                            ? "coalesce(current_setting('app.current_tenant', true), '') = ''"
                                    + " OR tenant_id = current_setting('app.current_tenant', true)"
                            : "tenant_id = current_setting('app.current_tenant', true)";
            sql.append("CREATE TABLE ")
                    .append(p)
                    .append(" (id bigserial, tenant_id text NOT NULL REFERENCES tenants (id),")
                    .append(" name text NOT NULL DEFAULT 'n', PRIMARY KEY (id, tenant_id));")
                    .append(i == 11 ? "" : "ALTER TABLE " + p + " ENABLE ROW LEVEL SECURITY;")
                    .append("ALTER TABLE ")
                    .append(p)
                    .append(" FORCE ROW LEVEL SECURITY;")
                    .append("CREATE POLICY ")
                    .append(p)
                    .append("_tenant ON ")
                    .append(p)
                    .append(" USING (")
                    .append(using)
                    .append(")")
                    .append(check)
                    .append(";")
                    .append(i == 5 ? "CREATE POLICY " + p + "_any ON " + p + " FOR INSERT WITH CHECK (true);" : "")
                    .append("CREATE TABLE ")
                    .append(c)
                    .append(" (id bigserial PRIMARY KEY, parent_id bigint NOT NULL,")
                    .append(
                            " tenant_id text NOT NULL, note text NOT NULL DEFAULT 'x', FOREIGN KEY (parent_id, tenant_id)")
                    .append(" REFERENCES ")
                    .append(p)
                    .append(" (id, tenant_id) ON DELETE CASCADE ON UPDATE CASCADE);")
                    .append("ALTER TABLE ")
                    .append(c)
                    .append(" ENABLE ROW LEVEL SECURITY;")
                    .append("ALTER TABLE ")
                    .append(c)
                    .append(" FORCE ROW LEVEL SECURITY;")
                    .append("CREATE POLICY ")
                    .append(c)
                    .append("_tenant ON ")
                    .append(c)
                    .append(" USING (")
                    .append(i == 7 ? "true" : "tenant_id = current_setting('app.current_tenant', true)")
                    .append(")")
                    .append(" WITH CHECK (tenant_id = current_setting('app.current_tenant', true));")
                    .append(i == 3 ? "CREATE POLICY " + c + "_any ON " + c + " FOR INSERT WITH CHECK (true);" : "");
            for (String t : new String[] {p, c}) {
                sql.append("GRANT SELECT, INSERT, UPDATE, DELETE ON ")
                        .append(t)
                        .append(" TO ")
                        .append(app)
                        .append(";")
                        .append("GRANT USAGE ON SEQUENCE ")
                        .append(t)
                        .append("_id_seq TO ")
                        .append(app)
                        .append(";");
            }
            if (i == 1) {
                sql.append("CREATE TRIGGER ")
                        .append(c)
                        .append("_lock BEFORE UPDATE OR DELETE ON ")
                        .append(c)
                        .append(" FOR EACH STATEMENT EXECUTE FUNCTION lock_parents();");
            }
            if (i == PAIRS) {
                sql.append("CREATE TRIGGER ")
                        .append(p)
                        .append("_wait BEFORE UPDATE OR DELETE ON ")
                        .append(p)
                        .append(" FOR EACH STATEMENT EXECUTE FUNCTION await_parents_locked();");
            }
            sql.append("INSERT INTO ")
                    .append(p)
                    .append(" (tenant_id) SELECT t FROM unnest(ARRAY['acme', 'globex',")
                    .append(" 'acme', 'globex']) t;")
                    .append("INSERT INTO ")
                    .append(c)
                    .append(" (parent_id, tenant_id) SELECT id, tenant_id FROM ")
                    .append(p)
                    .append(";");
        }
        String others = "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND usename = current_user AND pid <> pg_backend_pid())";
        StringBuilder lock = new StringBuilder("CREATE SEQUENCE lock_once; CREATE SEQUENCE lock_done;"
                + "GRANT USAGE, SELECT ON SEQUENCE lock_once, lock_done TO " + app + ";"
                + "CREATE FUNCTION lock_parents() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " DECLARE seen boolean := false; blocked boolean;"
                + " deadline timestamptz := clock_timestamp() + interval '10 s';"
                + " BEGIN IF " + others + " = 0 THEN RETURN NULL; END IF;"
                + " IF nextval('lock_once') > 1 THEN RETURN NULL; END IF; ");
        lock.append(String.format("PERFORM 1 FROM p%02d FOR UPDATE; ", PAIRS));
        lock.append("PERFORM pg_advisory_xact_lock(4242);"
                + " LOOP blocked := EXISTS (SELECT 1 FROM pg_stat_activity a"
                + "   WHERE pg_backend_pid() = ANY (pg_blocking_pids(a.pid)));"
                + " EXIT WHEN (seen AND NOT blocked) OR clock_timestamp() > deadline; seen := seen OR blocked;"
                + " PERFORM pg_sleep(0.001); END LOOP;"
                + " PERFORM nextval('lock_done'); RETURN NULL; END $$;"
                + "CREATE FUNCTION await_parents_locked() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " DECLARE deadline timestamptz := clock_timestamp() + interval '10 s';"
                + " BEGIN WHILE " + others + " > 0 AND NOT (SELECT is_called FROM lock_done)"
                + "   AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted"
                + "   AND pid <> pg_backend_pid()) AND clock_timestamp() < deadline LOOP"
                + " PERFORM pg_sleep(0.001); END LOOP; RETURN NULL; END $$;");
        return lock + sql.toString();
    }

    private static long keptAppConnections(TenantDatabase db) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + db.appRole() + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until the test's own app-role connections left its database (those prodlike keeps stay). */
    private static void awaitNoAppConnections(TenantDatabase db) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Connection c = db.ownerDataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?"
                        + " AND datname = current_database() AND pid <> ALL (?)")) {
            ps.setString(1, db.appRole());
            ps.setArray(
                    2,
                    c.createArrayOf("int4", ((TestDatabase) db).keptBackends().toArray()));
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime())
                        .as("app-role connections still open after 10 s")
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    private static void execute(TenantDatabase db, String sql) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** @return every tenant table's rows and every sequence's state, as text */
    private static String fingerprint(TenantDatabase db) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            for (int i = 1; i <= PAIRS; i++) {
                for (String t : new String[] {String.format("p%02d", i), String.format("c%02d", i)}) {
                    try (ResultSet rs = s.executeQuery("SELECT string_agg(x::text, ';' ORDER BY x.id) || '|'"
                            + " || (SELECT last_value || ',' || is_called FROM " + t + "_id_seq) FROM " + t + " x")) {
                        rs.next();
                        out.append(t).append('=').append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }
}
