package dev.prodlike.samples;

import static dev.prodlike.faults.ResilienceAssertions.assertThatCall;
import static dev.prodlike.faults.ResilienceAssertions.assertThatHealthEndpoint;
import static dev.prodlike.faults.ResilienceAssertions.assertThatNetwork;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.faults.Fault;
import dev.prodlike.faults.NetworkFaults;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service's timeouts, retry, circuit breaker and health endpoint under network faults between it and its
 * database and Redis (each test's own proxy). Bounds are the service's timeouts plus a wide margin for a loaded
 * machine; what they catch is a service without a timeout, which never answers.
 */
@OrdersEnvironment
class ResilienceTests {

    /** The service's own bounds (OrdersConfig: 2 s per database round trip, 250 ms per Redis command) and a margin. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private RunningService service;
    private String acme;
    /** Asks without a timeout of its own, so that only the service's timeouts can end a request. */
    private final HttpClient patient = HttpClient.newHttpClient();

    @BeforeEach
    void start(TenantDatabase db, RedisEnvironment redis, TestTokens tokens) throws Exception {
        Tenants.seed(db);
        service = RunningService.start(db, redis, tokens);
        acme = tokens.forTenant("acme").subject("wile").sign();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private HttpResponse<String> put(String path, String json) throws Exception {
        return patient.send(
                HttpRequest.newBuilder(service.uri(path))
                        .header("Authorization", "Bearer " + acme)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Bounded by the service's JDBC network timeout (OrdersConfig.dbTimeout) and, for a connection that sat idle in the
     * pool, by HikariCP's validation before handing it out and its connectionTimeout.
     */
    @Test
    void aHungDatabaseFailsTheRequestWithinTheServicesTimeoutInsteadOfHoldingItForever(TenantDatabase db) {
        long id = service.createOrder(acme, "wile@acme.test"); // the pool's connection is open before the fault
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        try (Fault hung = db.faults().network().hang()) {
            assertThatCall(() -> answer.set(put("/orders/" + id, "{\"status\": \"SHIPPED\"}")))
                    .succeedsWithin(BOUND);
        }
        // 503 when the driver reports the lost connection, 500 when the pool gave up waiting for a new one
        assertThat(answer.get().statusCode()).as(answer.get().body()).isBetween(500, 503);
    }

    @Test
    void theHealthEndpointAnswersDownWithinItsBoundWhileTheDatabaseHangs(TenantDatabase db) {
        service.createOrder(acme, "wile@acme.test");
        assertThatHealthEndpoint(service.uri("/health")).answersWithin(BOUND).isUp();
        try (Fault hung = db.faults().network().hang()) {
            assertThatHealthEndpoint(service.uri("/health"))
                    .answersWithin(BOUND)
                    .isDown();
        }
    }

    /** Fails if the Redis command timeout is removed from the service's configuration (Lettuce's 60 s default). */
    @Test
    void aHungRedisCostsAReadOnlyTheCommandTimeoutAndHealthSaysDegraded(RedisEnvironment redis) {
        long id = service.createOrder(acme, "wile@acme.test");
        try (Fault hung = redis.faults().network().hang()) {
            AtomicReference<Integer> status = new AtomicReference<>();
            assertThatCall(() -> status.set(patient.send(
                                    HttpRequest.newBuilder(service.uri("/orders/" + id))
                                            .header("Authorization", "Bearer " + acme)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode()))
                    .succeedsWithin(BOUND);
            assertThat(status.get()).isEqualTo(200); // served from the database
            assertThatHealthEndpoint(service.uri("/health"))
                    .answersWithin(BOUND)
                    .hasStatus("DEGRADED");
        }
    }

    @Test
    void theRedisRetryConnectsExactlyOnceMorePerFailedAttemptAndSucceeds(RedisEnvironment redis) {
        redis.controlCommands().set("k", "v");
        NetworkFaults net = redis.faults().network();
        try (RedisGateway gateway = new RedisGateway(redis.uri().toString(), Duration.ofMillis(250));
                Fault flapping = net.failNextConnections(2)) {
            assertThatNetwork(net)
                    .whenRunning(() -> assertThat(gateway.call(c -> c.get("k"), () -> "fallback"))
                            .isEqualTo("v"))
                    .succeeded()
                    .madeConnectionAttempts(3);
        }
    }

    @Test
    void theRedisCircuitBreakerOpensUnderSlowRepliesThenSendsNothingThenRecovers(RedisEnvironment redis)
            throws InterruptedException {
        redis.controlCommands().set("k", "v");
        NetworkFaults net = redis.faults().network();
        try (RedisGateway gateway = new RedisGateway(redis.uri().toString(), Duration.ofMillis(250))) {
            assertThat(gateway.call(c -> c.get("k"), () -> "fallback")).isEqualTo("v");
            try (Fault slow = net.latency(Duration.ofSeconds(2))) { // every reply later than the command timeout
                for (int i = 0; i < 10 && !gateway.circuitState().equals("OPEN"); i++) {
                    assertThat(gateway.call(c -> c.get("k"), () -> "fallback")).isEqualTo("fallback");
                }
                assertThat(gateway.circuitState()).isEqualTo("OPEN");
                // while it is open (it half-opens after 1 s: a window that saw that is not judged), nothing is sent
                boolean judged = false;
                for (int i = 0; i < 5 && !judged; i++) {
                    String before = gateway.circuitState();
                    var window = assertThatNetwork(net).whenRunning(() -> gateway.call(c -> c.get("k"), () -> "f"));
                    if (before.equals("OPEN") && gateway.circuitState().equals("OPEN")) {
                        window.succeeded().sentNothingToServer().madeNoConnectionAttempts();
                        judged = true;
                    }
                }
                assertThat(judged)
                        .as("a window with the breaker open throughout")
                        .isTrue();
            }
            // recovers: once half-open, the calls it lets through succeed and it closes
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!gateway.circuitState().equals("CLOSED") && System.nanoTime() < deadline) {
                gateway.call(c -> c.get("k"), () -> "fallback");
                Thread.sleep(50);
            }
            assertThat(gateway.circuitState()).isEqualTo("CLOSED");
            assertThat(gateway.call(c -> c.get("k"), () -> "fallback")).isEqualTo("v");
        }
    }
}
