package dev.prodlike.samples.spring;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import io.lettuce.core.api.sync.RedisCommands;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/** The service's Spring cache lives in this test's own Redis keyspace: empty at the start, invalidated on change. */
@OrdersServiceTest
class OrderCacheTests {

    @Autowired
    WebApplicationContext context;

    MockMvc mvc;

    @BeforeEach
    void setUp(TenantDatabase db) throws SQLException {
        mvc = Api.mockMvc(context);
        Seed.twoTenants(db);
    }

    @Test
    void sharesTheOneApplicationContext() {
        assertThat(ContextCounter.started("mock")).isEqualTo(1);
    }

    @Test
    void cachesAnOrderInThisTestsKeyspace(
            TestTokens tokens, RedisEnvironment redis, RedisCommands<String, String> commands) throws Exception {
        assertThat(commands.dbsize()).isZero(); // other tests cached the same keys in their own keyspaces
        mvc.perform(Api.order(Api.bearer(tokens, "acme"), Seed.ACME_ORDER)).andExpect(status().isOk());
        assertThatKey(redis, "orders::acme:1")
                .exists()
                .hasTtlBetween(java.time.Duration.ofMinutes(9), java.time.Duration.ofMinutes(10));
    }

    @Test
    void cachesOnlyUnderTheCallersTenantAndEveryEntryExpires(TestTokens tokens, RedisEnvironment redis) {
        // A key without the tenant would let another tenant's request read this one's order; a key without expiry
        // would stay until memory runs out.
        for (String tenant : new String[] {"acme", "globex"}) {
            long order = tenant.equals("acme") ? Seed.ACME_ORDER : Seed.GLOBEX_ORDER;
            assertThatCache(redis)
                    .whenRunning(() -> {
                        try {
                            mvc.perform(Api.order(Api.bearer(tokens, tenant), order))
                                    .andExpect(status().isOk());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .wroteOnlyKeysMatching("orders::" + tenant + ":*")
                    .everyWrittenKeyExpires()
                    .wrote("orders::" + tenant + ":" + order);
        }
    }

    @Test
    void changingAnOrderInvalidatesOnlyItsEntry(TestTokens tokens, RedisEnvironment redis) throws Exception {
        String acme = Api.bearer(tokens, "acme");
        String globex = Api.bearer(tokens, "globex");
        mvc.perform(Api.order(acme, Seed.ACME_ORDER)).andExpect(status().isOk());
        mvc.perform(Api.order(globex, Seed.GLOBEX_ORDER)).andExpect(status().isOk());
        assertThatCache(redis)
                .whenRunning(() -> {
                    try {
                        mvc.perform(Api.status(acme, Seed.ACME_ORDER, "PAID")).andExpect(status().isOk());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .invalidated("orders::acme:1")
                .didNotTouch("orders::globex:2");
        mvc.perform(Api.order(acme, Seed.ACME_ORDER))
                .andExpect(jsonPath("$.status").value("PAID"));
    }
}
