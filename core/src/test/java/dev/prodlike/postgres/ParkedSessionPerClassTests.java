package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.internal.TestDatabase;
import dev.prodlike.testing.SessionsOf;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A database kept for a class outlives each test: a session an earlier test of the class parked in it waits there
 * until the class ends. A later test's faults and counts see only its own connections: the parked session goes
 * before them, as a connection opened ahead does.
 */
@ProductionLikeDatabase(migrations = "classpath:db/parked", isolation = Isolation.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.SAME_THREAD)
class ParkedSessionPerClassTests {

    @Test
    @Order(1)
    void anEarlierTestParksItsSession(TenantDatabase db) throws SQLException {
        TestDatabase own = (TestDatabase) db;
        own.connectAheadFromNowOn(new Properties());
        Connection c = own.takeConnectionAhead(new Properties()); // one, if another class asked for them first
        if (c == null) {
            c = db.appDataSource().getConnection();
        }
        assertThat(own.park(c, new Properties())).isTrue();
        assertThat(appSessions(db)).as("the parked session").isEqualTo(1);
    }

    @Test
    @Order(2)
    void aLaterTestEndsOnlyItsOwnConnections(TenantDatabase db) throws SQLException {
        try (Connection mine = db.appDataSource().getConnection()) {
            assertThat(appSessions(db)).as("the parked session and this test's").isEqualTo(2);
            assertThat(db.faults().terminateConnections()).isEqualTo(1);
        }
    }

    private static int appSessions(TenantDatabase db) throws SQLException {
        return SessionsOf.count(db, "orders_app");
    }
}
