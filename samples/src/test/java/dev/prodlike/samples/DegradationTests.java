package dev.prodlike.samples;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.samples.RunningService.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.DatabaseFaults;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisFaults;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the service does when its dependencies fail, with the faults prodlike injects into the real servers: Redis
 * paused, its connections dropped, Redis down altogether, and PostgreSQL killing every connection as a failover does.
 * The service degrades instead of failing: reads fall back to PostgreSQL (resilience4j retry and circuit breaker
 * around every Redis call), the pool recovers from dead connections, and /health says what is down.
 *
 * <p>Faults that stop the whole Redis server (pause, outage) are coordinated by prodlike: tests of other classes are
 * held back meanwhile, and the server is restored when the test ends.
 */
@OrdersEnvironment
class DegradationTests {

    private RunningService service;
    private String acme;

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

    @Test
    void whileRedisIsPausedReadsComeFromTheDatabase(RedisEnvironment redis) {
        long id = service.createOrder(acme, "wile@acme.test");

        // Redis stops answering (prodlike lifts the pause when the test ends); the service's requests must not wait
        // for it: the HTTP client gives up after 4 s, so a service that hangs on Redis fails here.
        redis.faults().pause(Duration.ofSeconds(20));

        HttpResponse<String> order = service.get("/orders/" + id, acme);
        assertThat(order.statusCode()).isEqualTo(200);
        assertThat(json(order).get("customerEmail").asText()).isEqualTo("wile@acme.test");
        assertThat(json(service.getAnonymously("/health")).get("status").asText())
                .isEqualTo("DEGRADED");
    }

    @Test
    void whenRedisDropsItsConnectionsTheNextInvalidationStillHappens(RedisEnvironment redis) {
        long id = service.createOrder(acme, "wile@acme.test");
        service.get("/orders/" + id, acme); // cached

        // As a network blip or a Redis-side timeout would: the service's connection is closed under it.
        assertThat(redis.faults().dropConnections()).as("connections dropped").isPositive();

        // Lettuce reconnects by itself; the retry makes sure the DEL is not lost meanwhile, or the stale order stays.
        assertThatCache(redis)
                .whenRunning(() -> service.put("/orders/" + id, acme, "{\"status\": \"PAID\"}"))
                .invalidated(OrderService.cacheKey("acme", id));
        assertThat(json(service.get("/orders/" + id, acme)).get("status").asText())
                .isEqualTo("PAID");
    }

    @Test
    void duringARedisOutageTheServiceKeepsServingFromTheDatabase(RedisEnvironment redis) {
        long id = service.createOrder(acme, "wile@acme.test");
        service.get("/orders/" + id, acme); // cached

        RedisFaults.Outage outage = redis.faults().outage();
        try {
            // Redis is gone: reads and writes go to PostgreSQL, and health reports the degradation.
            assertThat(service.put("/orders/" + id, acme, "{\"status\": \"PAID\"}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(json(service.get("/orders/" + id, acme)).get("status").asText())
                    .isEqualTo("PAID");

            JsonNode health = json(service.getAnonymously("/health"));
            assertThat(health.get("status").asText()).isEqualTo("DEGRADED");
            assertThat(health.get("redis").asText()).isEqualTo("DOWN");
        } finally {
            outage.close(); // Redis is back, empty, as a cache without persistence restarts (also done at test end)
        }
        awaitHealth("redis", "UP"); // Lettuce reconnects by itself
    }

    @Test
    void survivesPostgresTerminatingEveryConnection(TenantDatabase db) {
        service.createOrder(acme, "wile@acme.test");

        // A failover or an operator's pg_terminate_backend: the service's pooled connections die.
        assertThat(db.faults().terminateConnections())
                .as("connections terminated")
                .isPositive();

        HttpResponse<String> orders = service.get("/orders", acme);
        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(json(orders).findValuesAsText("customerEmail")).containsExactly("wile@acme.test");
    }

    @Test
    void healthReportsTheDatabaseDownDuringAnOutage(TenantDatabase db) {
        DatabaseFaults.Outage outage = db.faults().outage();
        try {
            HttpResponse<String> health = service.getAnonymously("/health");

            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(json(health).get("database").asText()).isEqualTo("DOWN");
        } finally {
            outage.close(); // the database accepts connections again
        }
        awaitHealth("database", "UP", () -> service.databasePool() + "; " + newConnection(db));
    }

    /**
     * Recovery happens in the background; wait for it, failing if it has not happened within 10 s. A failure says
     * what the last answer was, how many came, and what {@code state} then says.
     */
    private void awaitHealth(String dependency, String expected, Supplier<String> state) {
        Instant start = Instant.now();
        Instant deadline = start.plusSeconds(10);
        JsonNode health;
        int polls = 0;
        do {
            health = json(service.getAnonymously("/health"));
            polls++;
            if (health.get(dependency).asText().equals(expected)) {
                return;
            }
            sleep(Duration.ofMillis(100));
        } while (Instant.now().isBefore(deadline));
        assertThat(health.get(dependency).asText())
                .as(
                        "%s after the fault ended: %d answers in %d ms, the last %s; %s",
                        dependency,
                        polls,
                        Duration.between(start, Instant.now()).toMillis(),
                        health,
                        state.get())
                .isEqualTo(expected);
    }

    private void awaitHealth(String dependency, String expected) {
        awaitHealth(dependency, expected, () -> "");
    }

    /** @return whether the database takes a new connection as the app role now, and if not why */
    @SuppressWarnings("try") // opening it is the check
    private static String newConnection(TenantDatabase db) {
        try (Connection c = db.appDataSource().getConnection()) {
            return "a new connection as the app role: opened";
        } catch (SQLException e) {
            return "a new connection as the app role: " + e.getMessage();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
