package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.faults.NetworkStats;
import dev.prodlike.postgres.internal.TestDatabase;
import dev.prodlike.testing.SessionsOf;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Once asked (prodlike-spring asks for every application), each clone that becomes ready gets a connection as the
 * app role opened to it before a test takes it: the test that takes it gets a session that started before the test,
 * through the test's own network proxy, counted in the proxy's statistics only once taken; one nobody takes is gone
 * before a fault or the end of its test, never counted. The fixture's template is its own, so no other class's
 * clones get connections ahead.
 */
@ProductionLikeDatabase(migrations = "classpath:db/ahead")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.SAME_THREAD)
class ConnectionAheadTests {

    static final List<Integer> TAKEN = new CopyOnWriteArrayList<>();
    static final List<Integer> DROPPED = new CopyOnWriteArrayList<>();

    @Test
    @Order(1)
    void nothingIsOpenedAheadUntilAsked(TenantDatabase db) {
        TestDatabase own = (TestDatabase) db;
        assertThat(own.hasConnectionAhead()).isFalse();
        assertThat(own.takeConnectionAhead(new Properties())).isNull();
        own.connectAheadFromNowOn(new Properties());
    }

    /**
     * Odd repetitions take the connection, even ones leave it. A clone that was ready before the first test asked
     * has none; after each repetition the test waits (on the pool, not a fixed pause) until the next clone is ready
     * with its connection open, so a busy machine cannot leave every repetition without one.
     */
    @RepeatedTest(10)
    @Order(2)
    void aTestTakesTheConnectionOpenedBeforeItStartedOrNeverSeesIt(TenantDatabase db, RepetitionInfo repetition)
            throws Exception {
        Instant started = Instant.now();
        TestDatabase own = (TestDatabase) db;
        if (own.hasConnectionAhead()) {
            if (repetition.getCurrentRepetition() % 2 == 1) {
                takes(own, started);
                TAKEN.add(repetition.getCurrentRepetition());
            } else {
                leaves(own);
                DROPPED.add(repetition.getCurrentRepetition());
            }
        }
        own.awaitNextConnectionAhead(Duration.ofSeconds(10));
    }

    private static void takes(TestDatabase db, Instant started) throws SQLException {
        Properties other = new Properties();
        other.setProperty("socketTimeout", "7");
        assertThat(db.takeConnectionAhead(other))
                .as("opened with other driver settings: not handed out")
                .isNull();
        Connection c = db.takeConnectionAhead(new Properties());
        assertThat(c).isNotNull();
        assertThat(db.takeConnectionAhead(new Properties()))
                .as("handed out once")
                .isNull();
        try (c) {
            assertThat(query(c, "SELECT current_user || ' ' || current_database()"))
                    .isEqualTo("orders_app " + db.databaseName());
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getTimestamp(1).toInstant()).isBefore(started);
            }
            NetworkStats stats = db.faults().network().stats();
            assertThat(stats.connectionAttempts()).isEqualTo(1);
            assertThat(stats.liveConnections()).isEqualTo(1);
            assertThat(stats.bytesToClient()).isPositive();
            assertThat(db.faults().network().resetConnections())
                    .as("it goes through the test's proxy")
                    .isEqualTo(1);
            assertThatThrownBy(() -> query(c, "SELECT 1")).isInstanceOf(SQLException.class);
        }
    }

    private static void leaves(TestDatabase db) throws Exception {
        NetworkStats stats = db.faults().network().stats();
        assertThat(stats).isEqualTo(new NetworkStats(0, 0, 0, 0, 0));
        assertThat(db.hasConnectionAhead()).isFalse();
        assertThat(db.takeConnectionAhead(new Properties())).isNull();
        assertThat(SessionsOf.await(db, "orders_app", 0, Duration.ofSeconds(10)))
                .as("the backend of the connection nobody took")
                .isZero();
        assertThat(db.faults().terminateConnections()).isZero();
    }

    @Test
    @Order(3)
    void someRepetitionsTookAndSomeLeftAConnectionOpenedAhead() {
        assertThat(TAKEN).as("repetitions that took one").isNotEmpty();
        assertThat(DROPPED).as("repetitions that left one").isNotEmpty();
    }
}
