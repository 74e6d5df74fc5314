package dev.prodlike.samples;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static dev.prodlike.samples.RunningService.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis as the service uses it: a cache-aside for orders, invalidated on change, and sessions as hashes with a
 * sliding TTL. The assertions watch the test's keyspace through Redis keyspace notifications, so they see exactly
 * what a request wrote, deleted or left alone — no sleeps, no polling.
 */
@OrdersEnvironment
class OrderCacheTests {

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
    void theFirstReadFillsTheCacheAndTheSecondIsServedFromIt(RedisEnvironment redis) {
        long id = service.createOrder(acme, "wile@acme.test");
        String key = OrderService.cacheKey("acme", id);

        assertThatCache(redis)
                .whenRunning(() -> service.get("/orders/" + id, acme))
                .wrote(key);
        assertThatKey(redis, key).exists().hasTtlBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));

        assertThatCache(redis)
                .whenRunning(() -> service.get("/orders/" + id, acme))
                .touchedNothing();
    }

    @Test
    void updatingAnOrderInvalidatesItsEntryAndNoOther(RedisEnvironment redis) {
        long shipped = service.createOrder(acme, "wile@acme.test");
        long untouched = service.createOrder(acme, "road@acme.test");
        service.get("/orders/" + shipped, acme);
        service.get("/orders/" + untouched, acme);

        assertThatCache(redis)
                .whenRunning(() -> service.put("/orders/" + shipped, acme, "{\"status\": \"SHIPPED\"}"))
                .invalidated(OrderService.cacheKey("acme", shipped))
                .didNotTouch(OrderService.cacheKey("acme", untouched));

        assertThat(json(service.get("/orders/" + shipped, acme)).get("status").asText())
                .isEqualTo("SHIPPED");
    }

    @Test
    void aSessionIsAHashOfTenantAndUserThatExpiresAfterThirtyIdleMinutes(RedisEnvironment redis) {
        String session = service.openSession(acme);

        assertThatKey(redis, SessionStore.key(session))
                .hasField("tenant", "acme")
                .hasField("subject", "wile")
                .hasTtlBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
    }

    // RedisCommands (Lettuce) is injected pointing at the test's own keyspace: handy to put Redis into a state,
    // here a session idle for 29 of its 30 minutes.
    @Test
    void usingASessionRenewsItsIdleTimeout(RedisEnvironment redis, RedisCommands<String, String> commands) {
        String session = service.openSession(acme);
        commands.expire(SessionStore.key(session), Duration.ofMinutes(1));

        assertThat(service.getWithSession("/orders", session).statusCode()).isEqualTo(200);

        assertThatKey(redis, SessionStore.key(session)).hasTtlBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
    }

    @Test
    void anExpiredSessionNoLongerAuthenticates(RedisEnvironment redis, RedisCommands<String, String> commands) {
        String session = service.openSession(acme);
        commands.del(SessionStore.key(session)); // what Redis does when the TTL runs out

        assertThat(service.getWithSession("/orders", session).statusCode()).isEqualTo(401);
        assertThatKey(redis, SessionStore.key(session)).doesNotExist();
    }
}
