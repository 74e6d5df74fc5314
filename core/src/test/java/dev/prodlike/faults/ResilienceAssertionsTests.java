package dev.prodlike.faults;

import static dev.prodlike.faults.ResilienceAssertions.assertThatCall;
import static dev.prodlike.faults.ResilienceAssertions.assertThatHealthEndpoint;
import static dev.prodlike.faults.ResilienceAssertions.assertThatNetwork;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The resilience assertions against real PostgreSQL behind the test's proxy: each passes for a client that copes and
 * fails, with its message, for one that does not (no timeout, a retry too many, a breaker that never opens).
 */
@ProductionLikeDatabase
class ResilienceAssertionsTests {

    private static final Executor DIRECT = Runnable::run;

    private static int one(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aCallWithoutATimeoutUnderHangFailsTheAssertionAfterItsBoundShowingWhereItWaits(
            TenantDatabase db, Connection open) throws SQLException {
        one(open); // PgJDBC's default: no socket timeout
        try (Fault hung = db.faults().network().hang()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> assertThatCall(() -> one(open)).failsWithin(Duration.ofSeconds(2)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expecting the call to fail within 2000 ms but it was still running after")
                    .hasMessageContaining("org.postgresql.core.PGStream")
                    .hasMessageContaining("PgJDBC socketTimeout");
            // the assertion stopped by itself (the call is still blocked, until the fault ends below)
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void aCallWithATimeoutUnderHangFailsWithinTheBound(TenantDatabase db, Connection open) throws SQLException {
        one(open);
        open.setNetworkTimeout(DIRECT, 1000);
        try (Fault hung = db.faults().network().hang()) {
            assertThatCall(() -> one(open)).failsWithin(Duration.ofSeconds(30)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void succeedsWithinAndAnswersOrFailsWithinUnderLatency(TenantDatabase db, Connection open) throws SQLException {
        one(open);
        try (Fault slow = db.faults().network().latency(Duration.ofMillis(200))) {
            CallAssert call = assertThatCall(() -> one(open)).succeedsWithin(Duration.ofSeconds(30));
            assertThat(call.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThatCall(() -> one(open)).answersOrFailsWithin(Duration.ofSeconds(30));
            assertThatThrownBy(() -> assertThatCall(() -> one(open)).failsWithin(Duration.ofSeconds(30)))
                    .hasMessageContaining("Expecting the call to fail within 30.0 s but it answered normally");
        }
    }

    /** Opens a connection per call and retries connection failures, as a service's retry would. */
    private static int retried(DataSource app, int maxAttempts) throws SQLException {
        SQLException last = null;
        for (int i = 0; i < maxAttempts; i++) {
            try (Connection c = app.getConnection()) {
                return one(c);
            } catch (SQLException e) {
                last = e;
            }
        }
        throw last;
    }

    @Test
    void aRetryUnderFailNextConnectionsMakesExactlyTheExpectedAttempts(TenantDatabase db, DataSource app) {
        NetworkFaults net = db.faults().network();
        try (Fault flapping = net.failNextConnections(2)) {
            assertThatNetwork(net)
                    .whenRunning(() -> retried(app, 3))
                    .succeeded()
                    .madeConnectionAttempts(3);
        }
        try (Fault flapping = net.failNextConnections(2)) {
            assertThatThrownBy(() -> assertThatNetwork(net)
                            .whenRunning(() -> retried(app, 2))
                            .succeeded())
                    .hasMessageContaining("Expecting the block to succeed but it failed with");
        }
        try (Fault flapping = net.failNextConnections(1)) {
            assertThatThrownBy(() -> assertThatNetwork(net)
                            .whenRunning(() -> retried(app, 3))
                            .madeConnectionAttempts(3))
                    .hasMessageContaining("Expecting the block to make exactly 3 connection attempt(s) but it made 2"
                            + " (1 failed)");
        }
    }

    /** The smallest circuit breaker: open after 3 failures in a row, half-open after {@code openFor}. */
    static final class Breaker {
        private int failures;
        private long openUntil;
        private final Duration openFor;

        Breaker(Duration openFor) {
            this.openFor = openFor;
        }

        int call(DataSource ds) throws SQLException {
            if (System.nanoTime() - openUntil < 0) {
                throw new SQLException("circuit open");
            }
            try (Connection c = ds.getConnection()) {
                int r = one(c);
                failures = 0;
                return r;
            } catch (SQLException e) {
                if (++failures >= 3) {
                    openUntil = System.nanoTime() + openFor.toNanos();
                }
                throw e;
            }
        }
    }

    @Test
    void aBreakerUnderRefuseStopsMakingAttemptsAndOneThatNeverOpensIsCaught(TenantDatabase db, DataSource app)
            throws Exception {
        NetworkFaults net = db.faults().network();
        Breaker breaker = new Breaker(Duration.ofMinutes(5));
        try (Fault refused = net.refuse()) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> breaker.call(app)).isInstanceOf(SQLException.class);
            }
            assertThatNetwork(net)
                    .whenRunning(() -> breaker.call(app))
                    .failed()
                    .madeNoConnectionAttempts()
                    .sentNothingToServer();
            // a breaker that never opens (or no breaker) keeps hammering the dependency
            assertThatThrownBy(() -> assertThatNetwork(net)
                            .whenRunning(() -> {
                                for (int i = 0; i < 5; i++) {
                                    try {
                                        retried(app, 1);
                                    } catch (SQLException expected) {
                                        // refused
                                    }
                                }
                            })
                            .madeAtMostConnectionAttempts(1))
                    .hasMessageContaining("at most 1 connection attempt(s) but it made 5");
        }
        Breaker recovering = new Breaker(Duration.ofMillis(1));
        assertThat(recovering.call(app)).isEqualTo(1);
    }

    @Test
    void aHealthEndpointThatBoundsItsCheckSaysDownWithinTheBoundAndOneThatDoesNotIsCaught(TenantDatabase db)
            throws IOException, SQLException {
        PGSimpleDataSource bounded = (PGSimpleDataSource) db.appDataSource();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "health-test");
            t.setDaemon(true);
            return t;
        }));
        try (Connection kept = bounded.getConnection();
                Connection other = bounded.getConnection()) {
            one(kept);
            one(other);
            server.createContext("/bounded", exchange -> answer(exchange, check(kept, 1000)));
            server.createContext("/unbounded", exchange -> answer(exchange, check(other, 0)));
            server.start();
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThatHealthEndpoint(URI.create(base + "/bounded"))
                    .answersWithin(Duration.ofSeconds(30))
                    .isUp()
                    .hasComponentStatus("db", "UP");
            try (Fault hung = db.faults().network().hang()) {
                assertThatHealthEndpoint(URI.create(base + "/bounded"))
                        .answersWithin(Duration.ofSeconds(30))
                        .isDown()
                        .hasComponentStatus("db", "DOWN");
                assertThatThrownBy(() -> assertThatHealthEndpoint(URI.create(base + "/unbounded"))
                                .answersWithin(Duration.ofSeconds(2)))
                        .hasMessageContaining("to answer within 2000 ms but it had not after");
            }
        } finally {
            server.stop(0);
        }
    }

    private static String check(Connection c, int timeoutMillis) {
        try {
            synchronized (c) {
                c.setNetworkTimeout(DIRECT, timeoutMillis);
                return one(c) == 1 ? "UP" : "DOWN";
            }
        } catch (SQLException e) {
            return "DOWN";
        }
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String db) throws IOException {
        byte[] body = ("{\"status\":\"" + db + "\",\"components\":{\"db\":{\"status\":\"" + db + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(db.equals("UP") ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
