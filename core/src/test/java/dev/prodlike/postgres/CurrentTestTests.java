package dev.prodlike.postgres;

import dev.prodlike.internal.CurrentTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The hook integrations (prodlike-spring) use: the test running on a thread offers its own database, lazily, from
 * before its instance is made until JUnit closes it; and a Spring test without prodlike-spring is refused.
 */
class CurrentTestTests {

    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    @ProductionLikeDatabase
    @TenantContext("acme")
    static class BindingTestCase {
        final TenantDatabase atConstruction = CurrentTest.onThisThread().orElseThrow()
                .resource(CurrentTest.POSTGRES, TenantDatabase.class).orElseThrow();

        @BeforeEach
        void before(TenantDatabase db) {
            assertThat(atConstruction).isSameAs(db);
        }

        @Test
        void one(TenantDatabase db) {
            CurrentTest test = CurrentTest.onThisThread().orElseThrow();
            assertThat(test.resource(CurrentTest.POSTGRES, TenantDatabase.class)).containsSame(db);
            assertThat(test.resource(CurrentTest.TENANT, String.class)).contains("acme");
            assertThat(test.name()).isEqualTo("BindingTestCase.one");
            SEEN.put("one", db);
        }

        @Test
        void two(TenantDatabase db) {
            assertThat(CurrentTest.onThisThread().orElseThrow().resource(CurrentTest.POSTGRES, TenantDatabase.class))
                    .containsSame(db);
            SEEN.put("two", db);
        }
    }

    @Test
    void eachTestOffersItsOwnDatabaseOnItsThreadUntilItEnds() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(BindingTestCase.class)).execute()
                .testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        // each test's own handle; the database behind it may be the same one, handed on because "one" changed nothing
        assertThat(SEEN.get("one")).isNotNull().isNotSameAs(SEEN.get("two"));
        assertThat(CurrentTest.onThisThread()).isEmpty();
    }

    @ExtendWith(SpringExtension.class)
    @ProductionLikeDatabase
    static class SpringWithoutIntegrationTestCase {
        @Test
        void test() {
        }
    }

    @Test
    void aSpringTestWithoutProdlikeSpringIsRefusedWithTheDependencyToAdd() {
        List<Throwable> failures = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SpringWithoutIntegrationTestCase.class)).execute().containerEvents().failed()
                .stream().map(e -> e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .toList();
        assertThat(failures).singleElement().satisfies(f -> assertThat(f).hasMessage("@ProductionLikeDatabase on "
                + SpringWithoutIntegrationTestCase.class.getName() + ", a Spring test (SpringExtension), needs"
                + " prodlike-spring on the test classpath: without it the application's DataSource keeps"
                + " spring.datasource.url and never sees the test's database.\nAdd the test dependency:\n"
                + "    <dependency>\n      <groupId>dev.prodlike</groupId>\n      <artifactId>prodlike-spring</artifactId>\n"
                + "      <scope>test</scope>\n    </dependency>"));
    }
}
