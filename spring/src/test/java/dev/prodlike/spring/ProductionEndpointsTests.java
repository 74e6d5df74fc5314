package dev.prodlike.spring;

import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static dev.prodlike.spring.SpringIntegrationTests.run;
import static dev.prodlike.spring.SpringIntegrationTests.usesItsOwnFreshDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisSession;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The application's own properties name production's endpoints, or none at all (twelve-factor services get them from
 * the environment): the context starts, and the application's DataSource and Redis are the test's.
 */
class ProductionEndpointsTests {

    @SpringBootTest(
            classes = TestApplication.class,
            properties = {"scenario=no-url", "spring.datasource.url="})
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class NoDatasourceUrlTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void theApplicationsDataSourceIsTheTestsDatabase(TenantDatabase db) {
            usesItsOwnFreshDatabase("no-url", jdbc, db);
        }
    }

    @SpringBootTest(
            classes = TestApplication.class,
            properties = {
                "scenario=placeholders",
                "spring.datasource.url=${DATABASE_URL}",
                "spring.datasource.username=${DATABASE_USER}",
                "spring.datasource.password=${DATABASE_PASSWORD}"
            })
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class OnlyProductionResolvesTheUrlTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void theApplicationsDataSourceIsTheTestsDatabase(TenantDatabase db) {
            usesItsOwnFreshDatabase("placeholders", jdbc, db);
        }
    }

    @SpringBootTest(
            classes = TestApplication.class,
            properties = {
                "scenario=unreachable",
                "spring.datasource.url=jdbc:postgresql://orders-db.production.invalid:5432/orders"
            })
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class UnreachableProductionHostTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void theApplicationsDataSourceIsTheTestsDatabase(TenantDatabase db) {
            usesItsOwnFreshDatabase("unreachable", jdbc, db);
        }
    }

    @Test
    void theContextStartsWithoutAUsableDatasourceUrl() {
        EngineExecutionResults results = run(
                NoDatasourceUrlTestCase.class,
                OnlyProductionResolvesTheUrlTestCase.class,
                UnreachableProductionHostTestCase.class);
        assertThat(failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    }

    @SpringBootTest(
            classes = TestApplication.class,
            properties = {
                "scenario=redis-placeholder",
                "spring.data.redis.url=${REDIS_URL}",
                "spring.data.redis.password=${REDIS_PASSWORD}"
            })
    @ProductionLikeDatabase
    @RedisSession(version = "7.0")
    static class RedisOnlyProductionResolvesTestCase {
        @Autowired
        StringRedisTemplate redis;

        @Test
        void theApplicationsRedisIsTheTests(RedisEnvironment environment) {
            redis.opsForValue().set("session:1", "acme");
            assertThatKey(environment, "session:1").exists();
        }
    }

    @SpringBootTest(
            classes = TestApplication.class,
            properties = {
                "scenario=redis-elsewhere",
                "spring.data.redis.host=sessions.production.invalid",
                "spring.data.redis.port=6380"
            })
    @ProductionLikeDatabase
    @RedisSession(version = "7.0")
    static class RedisElsewhereTestCase {
        @Autowired
        StringRedisTemplate redis;

        @Test
        void theApplicationsRedisIsTheTests(RedisEnvironment environment) {
            redis.opsForValue().set("session:2", "acme");
            assertThatKey(environment, "session:2").exists();
        }
    }

    @Test
    void theContextStartsWithRedisSettingsOnlyProductionResolvesOrThatPointElsewhere() {
        EngineExecutionResults results = run(RedisOnlyProductionResolvesTestCase.class, RedisElsewhereTestCase.class);
        assertThat(failures(results)).isEmpty();
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    }

    static java.util.List<String> failures(EngineExecutionResults results) {
        return results.allEvents().failed().stream()
                .map(e -> e.getTestDescriptor().getDisplayName() + ": "
                        + e.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(Dev::rootMessage)
                                .orElse(e.toString()))
                .toList();
    }

    private static final class Dev {
        static String rootMessage(Throwable t) {
            Throwable c = t;
            while (c.getCause() != null && c.getCause() != c) {
                c = c.getCause();
            }
            return t + " / root: " + c;
        }
    }
}
