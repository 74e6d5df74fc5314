package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.faults.NetworkStats;
import dev.prodlike.postgres.internal.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A test may leave the application's session in its database ({@link TestDatabase#park}, what prodlike-spring does
 * with one idle connection): when the database is handed on, the next test that takes it gets that session as its
 * connection opened ahead, reset as by {@code DISCARD ALL}, and the database as fresh as a new clone: the reuse check
 * counts the writes made through the parked session. Odd repetitions write a row, even ones do not. (A temporary
 * table is not among the session's state here: it writes to the catalogs, and a database whose catalogs changed is
 * dropped, never handed on.)
 */
@ProductionLikeDatabase(migrations = "classpath:db/parked")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.SAME_THREAD)
class ParkedSessionTests {

    /** Backends parked so far, and whether their test wrote through them. */
    static final Map<Integer, Boolean> PARKED = new ConcurrentHashMap<>();

    static final AtomicInteger HANDED_ON = new AtomicInteger();
    static final AtomicInteger HANDED_ON_AFTER_A_WRITE = new AtomicInteger();

    @Test
    @Order(1)
    void asksForConnectionsAhead(TenantDatabase db) {
        ((TestDatabase) db).connectAheadFromNowOn(new Properties());
    }

    @RepeatedTest(12)
    @Order(2)
    void theNextTestGetsTheSessionResetAndTheDatabaseFresh(TenantDatabase db, RepetitionInfo repetition)
            throws Exception {
        TestDatabase own = (TestDatabase) db;
        try (Connection owner = db.ownerDataSource().getConnection()) {
            assertThat(query(owner, "SELECT count(*)::text FROM notes"))
                    .as("rows in a database just taken")
                    .isEqualTo("0");
        }
        Connection c = own.takeConnectionAhead(new Properties());
        if (c == null) {
            c = db.appDataSource().getConnection();
        }
        int backend = Integer.parseInt(query(c, "SELECT pg_backend_pid()::text"));
        Boolean wrote = PARKED.get(backend);
        if (wrote != null) {
            HANDED_ON.incrementAndGet();
            if (wrote) {
                HANDED_ON_AFTER_A_WRITE.incrementAndGet();
            }
            assertThat(query(c, "SELECT coalesce(current_setting('app.current_tenant', true), '')"))
                    .as("the tenant the last test set")
                    .isEmpty();
            assertThat(query(
                            c,
                            "SELECT current_user || ' ' || current_database() || ' '"
                                    + " || (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()"
                                    + " AND locktype = 'advisory') || ' ' || (SELECT count(*) FROM pg_listening_channels())"
                                    + " || ' ' || current_setting('work_mem')"))
                    .as("role, database, advisory locks held, channels listened to, work_mem")
                    .isEqualTo("orders_app " + db.databaseName() + " 0 0 4MB");
            NetworkStats stats = db.faults().network().stats();
            assertThat(stats.connectionAttempts()).isEqualTo(1);
            assertThat(stats.liveConnections()).isEqualTo(1);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SELECT set_config('app.current_tenant', 'acme', false)");
            s.execute("SET work_mem = '7MB'");
            s.execute("LISTEN orders");
            s.execute("SELECT pg_advisory_lock(77)");
        }
        // past PgJDBC's prepareThreshold: a named statement on the server, which DISCARD ALL deallocates
        for (int i = 0; i < 7; i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM notes WHERE tenant_id = ?")) {
                ps.setString(1, "acme");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
            }
        }
        boolean writes = repetition.getCurrentRepetition() % 2 == 1;
        if (writes) {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO notes VALUES ('acme', 'written by repetition "
                        + repetition.getCurrentRepetition() + "')");
            }
        }
        assertThat(own.park(c, new Properties())).isTrue();
        assertThat(own.park(c, new Properties())).as("one session per database").isFalse();
        PARKED.put(backend, writes);
        Thread.sleep(150); // the pool checks and hands on the database meanwhile
    }

    @Test
    @Order(3)
    void someTestsGotTheSessionOfOneThatWrote() {
        assertThat(HANDED_ON_AFTER_A_WRITE).as("handed on after a write").hasPositiveValue();
        assertThat(HANDED_ON.get()).as("handed on").isGreaterThan(HANDED_ON_AFTER_A_WRITE.get());
    }

    @Test
    @Order(4)
    void aTestThatStartedAFaultParksNothing(TenantDatabase db) throws SQLException {
        TestDatabase own = (TestDatabase) db;
        Connection c = db.appDataSource().getConnection();
        db.faults().network().latency(java.time.Duration.ofMillis(1)).close();
        assertThat(own.park(c, new Properties())).as("the network had a fault").isFalse();
        c.close();
    }

    @Test
    @Order(5)
    void aTestThatEndedConnectionsParksNothing(TenantDatabase db) throws SQLException {
        TestDatabase own = (TestDatabase) db;
        db.faults().terminateConnections();
        Connection c = db.appDataSource().getConnection();
        assertThat(own.park(c, new Properties())).isFalse();
        c.close();
    }
}
