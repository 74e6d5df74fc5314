package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
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
 * What a plain JUnit test gets as the app role's DataSource: a connection it closes as it found it stays in its
 * database, and when the pool hands the database on, the next test's first connection is that session, reset as if
 * new, in a database as fresh as a new clone. A connection set read-only (a change outside the server's session) is
 * closed for real, and no statement of a closed connection runs anywhere.
 */
@ProductionLikeDatabase(migrations = "classpath:db/parked")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.SAME_THREAD)
class AppSessionsTests {

    /** Backends closed by a test, and whether the test set their connection read-only. */
    static final Map<Integer, Boolean> CLOSED = new ConcurrentHashMap<>();

    static final AtomicInteger HANDED_ON = new AtomicInteger();
    static final AtomicInteger OPENED_BEFORE_THE_TEST = new AtomicInteger();

    @RepeatedTest(12)
    @Order(1)
    void theNextTestGetsTheClosedConnectionResetAndTheDatabaseFresh(TenantDatabase db, RepetitionInfo repetition)
            throws Exception {
        boolean readOnly = repetition.getCurrentRepetition() % 3 == 0;
        String began;
        try (Connection owner = db.ownerDataSource().getConnection()) {
            began = query(owner, "SELECT clock_timestamp()::text");
        }
        int backend;
        Statement kept;
        try (Connection c = db.asTenant("acme").getConnection()) {
            backend = Integer.parseInt(query(c, "SELECT pg_backend_pid()::text"));
            Boolean wasReadOnly = CLOSED.get(backend);
            if (wasReadOnly != null) {
                assertThat(wasReadOnly)
                        .as("a connection set read-only is never handed on")
                        .isFalse();
                HANDED_ON.incrementAndGet();
            }
            if ("true"
                    .equals(query(
                            c,
                            "SELECT (backend_start < '" + began + "')::text FROM pg_stat_activity"
                                    + " WHERE pid = pg_backend_pid()"))) {
                OPENED_BEFORE_THE_TEST.incrementAndGet();
            }
            assertThat(c.isReadOnly()).isFalse();
            assertThat(query(
                            c,
                            "SELECT count(*) || ' ' || current_setting('work_mem') || ' '"
                                    + " || current_setting('app.current_tenant') FROM notes"))
                    .as("rows, work_mem and the tenant in a connection just taken")
                    .isEqualTo("0 4MB acme");
            try (Statement s = c.createStatement()) {
                s.execute("SET work_mem = '7MB'");
                s.execute("INSERT INTO notes VALUES ('acme', 'repetition " + repetition.getCurrentRepetition() + "')");
            }
            if (readOnly) {
                c.setReadOnly(true);
            }
            kept = c.createStatement();
            for (int i = 0; i < 70; i++) { // past the point where the connection forgets the statements closed
                c.createStatement().close();
            }
            CLOSED.put(backend, readOnly);
        }
        assertThatThrownBy(() -> kept.executeQuery("SELECT 1"))
                .as("a statement of a closed connection")
                .isInstanceOf(SQLException.class);
        try (Connection owner = db.ownerDataSource().getConnection()) {
            if (readOnly) {
                assertThat(awaitGone(owner, backend))
                        .as("the read-only connection's backend left")
                        .isTrue();
            } else {
                assertThat(alive(owner, backend))
                        .as("the closed connection's backend stays")
                        .isTrue();
            }
        }
        Thread.sleep(150); // the pool checks and hands on the database meanwhile
    }

    @Test
    @Order(2)
    void testsGotSessionsOpenedBeforeThemAndLeftByOthers() {
        assertThat(HANDED_ON).as("sessions handed on").hasPositiveValue();
        assertThat(OPENED_BEFORE_THE_TEST.get())
                .as("first connections opened before the test began")
                .isGreaterThanOrEqualTo(HANDED_ON.get())
                .isGreaterThan(6);
    }

    private static boolean alive(Connection owner, int backend) throws SQLException {
        try (PreparedStatement ps = owner.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, backend);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private static boolean awaitGone(Connection owner, int backend) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (!alive(owner, backend)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }
}
