package dev.prodlike.spring;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static dev.prodlike.spring.SpringIntegrationTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisSession;
import dev.prodlike.redis.RedisTopology;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * An application configured for a Redis Cluster, as production runs it ({@code spring.data.redis.cluster.nodes}
 * naming hosts that do not exist here), follows the test's own cluster; its tenant-scoped cache is checked for keys
 * without the tenant and without expiry.
 */
class RedisClusterCacheTests {

    /** Builds its factory from spring.data.redis.cluster.nodes, as Spring Boot's Redis auto-configuration does. */
    @SpringBootConfiguration
    @EnableCaching
    static class ClusterApplication {

        @Bean
        LettuceConnectionFactory redisConnectionFactory(
                @Value("${spring.data.redis.cluster.nodes}") List<String> nodes) {
            return new LettuceConnectionFactory(new RedisClusterConfiguration(nodes));
        }

        @Bean
        RedisCacheManager cacheManager(RedisConnectionFactory redis) {
            return RedisCacheManager.builder(redis)
                    .cacheDefaults(RedisCacheConfiguration.defaultCacheConfig().entryTtl(Duration.ofMinutes(10)))
                    .build();
        }

        @Bean
        Prices prices() {
            return new Prices();
        }
    }

    /** A tenant-scoped cached service. */
    static class Prices {
        @Cacheable(cacheNames = "prices", key = "#p0 + ':' + #p1")
        public String price(String tenant, String sku) {
            return "9.99";
        }
    }

    @SpringBootTest(
            classes = ClusterApplication.class,
            properties = "spring.data.redis.cluster.nodes="
                    + "orders-cache-1.internal:6379,orders-cache-2.internal:6379,orders-cache-3.internal:6379")
    @RedisSession(version = "7.0", topology = RedisTopology.CLUSTER)
    static class ClusterCacheTestCase {

        @Autowired
        Prices prices;

        @Test
        void theApplicationCachesInTheTestsClusterUnderTheTenantWithAnExpiry(
                RedisEnvironment redis, RedisAdvancedClusterCommands<String, String> cmd) {
            assertThatCache(redis)
                    .whenRunning(() -> {
                        for (int i = 0; i < 12; i++) {
                            prices.price("acme", "sku-" + i);
                        }
                    })
                    .wroteOnlyKeysMatching("prices::acme:*")
                    .everyWrittenKeyExpires();
            assertThat(cmd.dbsize()).isEqualTo(12);
            assertThatKey(redis, "prices::acme:sku-7")
                    .exists()
                    .hasTtlBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
        }

        @Test
        void theNextTestFindsItsClusterEmpty(RedisEnvironment redis, RedisAdvancedClusterCommands<String, String> cmd) {
            assertThat(cmd.dbsize()).isZero();
            prices.price("globex", "sku-1");
            // waits for Spring Data Redis 4's asynchronous cache write; a read through cmd would not
            assertThatKey(redis, "prices::globex:sku-1").exists();
            assertThat(cmd.keys("*")).containsExactly("prices::globex:sku-1");
        }
    }

    @Test
    void anApplicationConfiguredForAClusterUsesTheTestsCluster() {
        EngineExecutionResults results = run(ClusterCacheTestCase.class);
        assertThat(results.allEvents().failed().stream()
                        .map(e -> e.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(Throwable::toString)
                                .orElse(e.toString())))
                .isEmpty();
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    }

    @SpringBootTest(classes = RedisCacheTests.SlowLinkApplication.class)
    @RedisSession(version = "7.0", topology = RedisTopology.CLUSTER)
    static class StandaloneApplicationTestCase {
        @Autowired
        RedisCacheTests.Prices prices;

        @Test
        void caches() {
            prices.price("sku-1");
        }
    }

    @Test
    void aStandaloneApplicationAgainstATestClusterIsToldToDeclareProductionsTopology() {
        EngineExecutionResults results = run(StandaloneApplicationTestCase.class);
        assertThat(results.testEvents().failed().stream()
                        .map(e -> e.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(t -> {
                                    Throwable root = t;
                                    while (root.getCause() != null && !(root instanceof IllegalStateException)) {
                                        root = root.getCause();
                                    }
                                    return root.getMessage();
                                })
                                .orElse("")))
                .singleElement()
                .asString()
                .contains("runs against a Redis Cluster (redis.topology=cluster), but the application's"
                        + " RedisConnectionFactory bean 'redisConnectionFactory' is configured for a standalone server")
                .contains("spring.data.redis.cluster.nodes=host1:port1");
    }
}
