package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.faults.Direction;
import dev.prodlike.faults.Fault;
import dev.prodlike.faults.NetworkFaults;
import dev.prodlike.faults.NetworkStats;
import dev.prodlike.testing.TestKitEvents;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Each network fault as a PgJDBC client sees it, through the test's own proxy (embedded provider; the Docker
 * provider runs the same tests in {@link DockerNetworkFaultsTests}). Timings are only ever checked as lower bounds
 * (a fault's effect), never as upper bounds on the machine's speed.
 */
@ProductionLikeDatabase
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken fault hangs
class NetworkFaultsTests {

    /** Runs JDBC's network-timeout callbacks on the calling thread. */
    private static final Executor DIRECT = Runnable::run;

    private static int one(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void everyConnectionHandedOutGoesThroughTheTestsProxyAndTheOwnerGoesDirect(TenantDatabase db, DataSource app)
            throws SQLException {
        NetworkFaults net = db.faults().network();
        assertThat(db.jdbcUrl())
                .isEqualTo("jdbc:postgresql://127.0.0.1:" + net.address().getPort() + "/" + db.databaseName());
        assertThat(net.target().getPort()).isNotEqualTo(net.address().getPort());
        NetworkStats before = net.stats();
        try (Connection c = app.getConnection();
                Connection t = db.asTenant("acme").getConnection()) {
            assertThat(one(c)).isEqualTo(1);
            assertThat(one(t)).isEqualTo(1);
            assertThat(net.stats().liveConnections()).isEqualTo(2);
        }
        try (Connection owner = db.ownerDataSource().getConnection()) {
            assertThat(one(owner)).isEqualTo(1);
        }
        NetworkStats during = net.stats().since(before);
        assertThat(during.connectionAttempts()).isEqualTo(2);
        assertThat(during.failedConnections()).isZero();
        assertThat(during.bytesToServer()).isPositive();
        assertThat(during.bytesToClient()).isPositive();
    }

    @Test
    void latencyDelaysEveryRoundTripOfAConnectionOpenedBeforeIt(TenantDatabase db, Connection open)
            throws SQLException {
        assertThat(one(open)).isEqualTo(1);
        try (Fault slow = db.faults().network().latency(Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            assertThat(one(open)).isEqualTo(1);
            assertThat(one(open)).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(slow.isActive()).isTrue();
        }
        long t1 = System.nanoTime();
        assertThat(one(open)).isEqualTo(1);
        // no upper bound on the machine's speed: only that the fault's 300 ms are gone is not asserted either
        assertThat(System.nanoTime() - t1).isPositive();
    }

    @Test
    void latencyTowardsTheServerAndBothWaysAddsUp(TenantDatabase db, Connection open) throws SQLException {
        try (Fault slow =
                db.faults().network().latency(Duration.ofMillis(200), Duration.ofMillis(50), Direction.BOTH)) {
            long t0 = System.nanoTime();
            assertThat(one(open)).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void hangTripsTheJdbcNetworkTimeoutOfALiveConnection(TenantDatabase db, Connection open) throws SQLException {
        assertThat(one(open)).isEqualTo(1); // opened and used before the fault, as a pooled connection is
        open.setNetworkTimeout(DIRECT, 1000);
        try (Fault hung = db.faults().network().hang()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> one(open))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(rootCause(e)).isInstanceOf(SocketTimeoutException.class));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        }
    }

    @Test
    void hangHoldsNewConnectsUntilTheConnectTimeoutThenLetsThemThroughWhenItEnds(TenantDatabase db)
            throws SQLException {
        NetworkFaults net = db.faults().network();
        PGSimpleDataSource ds = (PGSimpleDataSource) db.appDataSource();
        PGSimpleDataSource impatient = new PGSimpleDataSource();
        impatient.setUrl(db.jdbcUrl());
        impatient.setUser(ds.getUser());
        impatient.setPassword(ds.getPassword());
        impatient.setConnectTimeout(1);
        impatient.setLoginTimeout(10); // a connect that completes but is never answered fails differently, and bounded
        try (Fault hung = net.hang()) {
            assertThatThrownBy(impatient::getConnection)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(rootCause(e))
                            .isInstanceOf(SocketTimeoutException.class)
                            .hasMessageMatching("(?i)connect timed out"));
        }
        try (Connection c = impatient.getConnection()) {
            assertThat(one(c)).isEqualTo(1);
        }
    }

    @Test
    void refuseFailsNewConnectsAtOnceAndResetsLiveOnesUntilClosed(TenantDatabase db, DataSource app, Connection open)
            throws SQLException {
        NetworkFaults net = db.faults().network();
        assertThat(one(open)).isEqualTo(1);
        NetworkStats before = net.stats();
        try (Fault refused = net.refuse()) {
            assertThatThrownBy(() -> one(open)).isInstanceOf(SQLException.class);
            assertThatThrownBy(app::getConnection)
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
            NetworkStats during = net.stats().since(before);
            assertThat(during.connectionAttempts()).isEqualTo(1);
            assertThat(during.failedConnections()).isEqualTo(1);
            assertThat(during.liveConnections()).isZero();
        }
        try (Connection c = app.getConnection()) {
            assertThat(one(c)).isEqualTo(1);
        }
    }

    @Test
    void resetConnectionsCutsEveryLiveConnectionNow(TenantDatabase db, DataSource app, Connection open)
            throws SQLException {
        assertThat(one(open)).isEqualTo(1);
        try (Connection second = app.getConnection()) {
            assertThat(db.faults().network().resetConnections()).isEqualTo(2);
            assertThatThrownBy(() -> one(second)).isInstanceOf(SQLException.class);
        }
        assertThatThrownBy(() -> one(open)).isInstanceOf(SQLException.class);
        try (Connection c = app.getConnection()) {
            assertThat(one(c)).isEqualTo(1);
        }
    }

    @Test
    void resetAfterBytesCutsTheReplyMidwayAfterExactlyThatManyBytes(TenantDatabase db, Connection open)
            throws SQLException {
        NetworkFaults net = db.faults().network();
        assertThat(one(open)).isEqualTo(1);
        NetworkStats before = net.stats();
        try (Fault cut = net.resetAfterBytes(4096)) {
            assertThatThrownBy(() -> {
                        try (Statement s = open.createStatement();
                                ResultSet rs =
                                        s.executeQuery("SELECT repeat('x', 100) FROM generate_series(1, 1000)")) {
                            while (rs.next()) {
                                rs.getString(1);
                            }
                        }
                    })
                    .isInstanceOf(SQLException.class);
            assertThat(net.stats().since(before).bytesToClient()).isEqualTo(4096);
        }
        assertThat(open.isClosed()).isTrue();
    }

    @Test
    void bandwidthSlowsALargeReply(TenantDatabase db, Connection open) throws SQLException {
        assertThat(one(open)).isEqualTo(1);
        try (Fault narrow = db.faults().network().bandwidth(16 * 1024)) {
            long t0 = System.nanoTime();
            try (Statement s = open.createStatement();
                    ResultSet rs = s.executeQuery("SELECT repeat('x', 1000) FROM generate_series(1, 40)")) {
                int rows = 0;
                while (rs.next()) {
                    rows++;
                }
                assertThat(rows).isEqualTo(40);
            }
            // about 40 KB at 16 KB/s: at least 1.5 s
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        }
    }

    @Test
    void failNextConnectionsFailsExactlyThatManyThenSucceeds(TenantDatabase db, DataSource app) throws SQLException {
        NetworkFaults net = db.faults().network();
        NetworkStats before = net.stats();
        try (Fault flapping = net.failNextConnections(2)) {
            int attempts = 0;
            Connection c = null;
            while (c == null && attempts < 10) {
                attempts++;
                try {
                    c = app.getConnection();
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("08001");
                }
            }
            try (Connection connected = c) {
                assertThat(one(connected)).isEqualTo(1);
            }
            assertThat(attempts).isEqualTo(3);
            assertThat(flapping.isActive()).isFalse();
            NetworkStats during = net.stats().since(before);
            assertThat(during.connectionAttempts()).isEqualTo(3);
            assertThat(during.failedConnections()).isEqualTo(2);
        }
    }

    @Test
    void twoFaultsOfOneKindAreRefusedWhileDifferentKindsCompose(TenantDatabase db, Connection open)
            throws SQLException {
        NetworkFaults net = db.faults().network();
        try (Fault slow = net.latency(Duration.ofMillis(100));
                Fault narrow = net.bandwidth(1_000_000)) {
            assertThatThrownBy(() -> net.latency(Duration.ofMillis(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'latency 100 ms (jitter 0 ms) TO_CLIENT' is still in effect");
            long t0 = System.nanoTime();
            assertThat(one(open)).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        }
        try (Fault again = net.latency(Duration.ofMillis(5))) {
            assertThat(again.isActive()).isTrue();
        }
    }

    @Test
    void existingFaultsStillWorkThroughTheProxy(TenantDatabase db, DataSource app) throws SQLException {
        try (Connection c = app.getConnection()) {
            assertThat(db.faults().terminateConnections()).isEqualTo(1);
            assertThatThrownBy(() -> one(c)).isInstanceOf(SQLException.class);
        }
        try (DatabaseFaults.Outage outage = db.faults().outage()) {
            assertThatThrownBy(app::getConnection).isInstanceOf(SQLException.class);
        }
        try (Connection c = app.getConnection()) {
            assertThat(one(c)).isEqualTo(1);
        }
    }

    // --- a forgotten fault ends with its test; parallel tests are untouched -------------------------------------

    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    /** The module's test profile without its provider line. */
    private static final String PROFILE =
            "postgres.version=16.4\npostgres.migrations=classpath:db/migration\npostgres.app-role=orders_app\n"
                    + "postgres.tenant-setting=app.current_tenant\npostgres.extensions=pgcrypto,citext\n"
                    + "postgres.settings.timezone=UTC\ndrift=fail\n";

    @ProductionLikeDatabase(isolation = Isolation.PER_CLASS)
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
    static class ForgottenFaultTestCase {
        @Test
        @org.junit.jupiter.api.Order(1)
        void forgetsAHang(TenantDatabase db) {
            SEEN.put("fault", db.faults().network().hang());
        }

        @Test
        @org.junit.jupiter.api.Order(2)
        void sameDatabaseNextTest(DataSource app) throws SQLException {
            try (Connection c = app.getConnection()) {
                c.setNetworkTimeout(DIRECT, 10_000);
                SEEN.put("next", one(c));
            }
        }
    }

    /** @return the provider this class tests, for its fixtures too */
    String provider() {
        return "embedded";
    }

    private org.junit.platform.testkit.engine.EngineExecutionResults run(EngineTestKit.Builder kit) throws Exception {
        return dev.prodlike.testing.ProfileOverride.with(PROFILE + "provider=" + provider() + "\n", kit::execute);
    }

    @Test
    @org.junit.jupiter.api.parallel.ResourceLock(FIXTURES)
    void aForgottenFaultEndsWithItsTest() throws Exception {
        SEEN.clear();
        TestKitEvents.assertAllSucceeded(
                run(EngineTestKit.engine("junit-jupiter").selectors(selectClass(ForgottenFaultTestCase.class))), 2);
        assertThat(((Fault) SEEN.get("fault")).isActive()).isFalse();
        assertThat(SEEN).containsEntry("next", 1);
    }

    static volatile CountDownLatch HUNG = new CountDownLatch(1);
    static volatile CountDownLatch NEIGHBOUR_DONE = new CountDownLatch(1);
    /** The fixtures share the static state above: their runs never overlap (also not with the Docker subclass's). */
    static final String FIXTURES = "prodlike.NetworkFaultsTests.fixtures";

    @ProductionLikeDatabase
    @Execution(ExecutionMode.CONCURRENT)
    static class ParallelTestCase {
        @Test
        void hangsItsOwnDatabase(TenantDatabase db, Connection open) throws Exception {
            try (Fault hung = db.faults().network().hang()) {
                HUNG.countDown();
                // held until the neighbour has worked through its own proxy meanwhile (bounded)
                SEEN.put("neighbourDone", NEIGHBOUR_DONE.await(60, TimeUnit.SECONDS));
            }
        }

        @Test
        void worksMeanwhile(DataSource app) throws Exception {
            SEEN.put("sawHang", HUNG.await(60, TimeUnit.SECONDS));
            try (Connection c = app.getConnection()) {
                c.setNetworkTimeout(DIRECT, 10_000);
                for (int i = 0; i < 20; i++) {
                    one(c);
                }
                SEEN.put("queries", 20);
            } finally {
                NEIGHBOUR_DONE.countDown();
            }
        }
    }

    @Test
    @org.junit.jupiter.api.parallel.ResourceLock(FIXTURES)
    void parallelTestsAreUntouchedByEachOthersFaults() throws Exception {
        SEEN.clear();
        HUNG = new CountDownLatch(1);
        NEIGHBOUR_DONE = new CountDownLatch(1);
        TestKitEvents.assertAllSucceeded(
                run(EngineTestKit.engine("junit-jupiter")
                        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                        .selectors(selectClass(ParallelTestCase.class))),
                2);
        assertThat(SEEN)
                .containsEntry("sawHang", true)
                .containsEntry("queries", 20)
                .containsEntry("neighbourDone", true);
    }
}
