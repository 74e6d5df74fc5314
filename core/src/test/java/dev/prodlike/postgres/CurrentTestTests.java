package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.internal.CurrentTest;
import dev.prodlike.testing.TestKitEvents;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The hook integrations (prodlike-spring) use: the test running on a thread offers its own database, lazily, from
 * before its instance is made until JUnit closes it; and a Spring test without prodlike-spring is refused.
 */
class CurrentTestTests {

    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    @ProductionLikeDatabase
    @TenantContext("acme")
    static class BindingTestCase {
        final TenantDatabase atConstruction = CurrentTest.onThisThread()
                .orElseThrow()
                .resource(CurrentTest.POSTGRES, TenantDatabase.class)
                .orElseThrow();

        @BeforeEach
        void before(TenantDatabase db) {
            assertThat(atConstruction).isSameAs(db);
        }

        @Test
        void one(TenantDatabase db) {
            CurrentTest test = CurrentTest.onThisThread().orElseThrow();
            assertThat(test.resource(CurrentTest.POSTGRES, TenantDatabase.class))
                    .containsSame(db);
            assertThat(test.resource(CurrentTest.TENANT, String.class)).contains("acme");
            assertThat(test.name()).isEqualTo("BindingTestCase.one");
            leaveAMark("one");
        }

        @Test
        void two(TenantDatabase db) {
            assertThat(CurrentTest.onThisThread().orElseThrow().resource(CurrentTest.POSTGRES, TenantDatabase.class))
                    .containsSame(db);
            leaveAMark("two");
        }

        /**
         * Through the database the thread offers (what integrations use), records the marks earlier tests left
         * there, then leaves this test's own: a test offered another test's database would find that test's mark.
         */
        static void leaveAMark(String test) {
            TenantDatabase offered = CurrentTest.onThisThread()
                    .orElseThrow()
                    .resource(CurrentTest.POSTGRES, TenantDatabase.class)
                    .orElseThrow();
            try (Connection c = offered.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                List<String> marks = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE tablename LIKE 'mark_%'")) {
                    while (rs.next()) {
                        marks.add(rs.getString(1));
                    }
                }
                SEEN.put(test, marks);
                s.execute("CREATE TABLE mark_" + test + " (id int)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void eachTestOffersItsOwnDatabaseOnItsThreadUntilItEnds() {
        SEEN.clear();
        // fails with the fixture's own failures, e.g. a test that found the other's mark
        TestKitEvents.assertAllSucceeded(
                EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(BindingTestCase.class))
                        .execute(),
                2);
        // each test found no mark of the other in the database its thread offered: its own, fresh database
        assertThat(SEEN).containsOnlyKeys("one", "two");
        assertThat(SEEN.get("one")).as("marks test one found").isEqualTo(List.of());
        assertThat(SEEN.get("two")).as("marks test two found").isEqualTo(List.of());
        assertThat(CurrentTest.onThisThread()).isEmpty();
    }

    @ExtendWith(SpringExtension.class)
    @ProductionLikeDatabase
    static class SpringWithoutIntegrationTestCase {
        @Test
        void test() {}
    }

    @Test
    void aSpringTestWithoutProdlikeSpringIsRefusedWithTheDependencyToAdd() {
        List<Throwable> failures = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SpringWithoutIntegrationTestCase.class))
                .execute()
                .containerEvents()
                .failed()
                .stream()
                .map(e -> e.getPayload(TestExecutionResult.class)
                        .orElseThrow()
                        .getThrowable()
                        .orElseThrow())
                .toList();
        assertThat(failures)
                .singleElement()
                .satisfies(f -> assertThat(f)
                        .hasMessage("@ProductionLikeDatabase on "
                                + SpringWithoutIntegrationTestCase.class.getName()
                                + ", a Spring test (SpringExtension), needs"
                                + " prodlike-spring on the test classpath: without it the application's DataSource keeps"
                                + " spring.datasource.url and never sees the test's database.\nAdd the test dependency:\n"
                                + "    <dependency>\n      <groupId>dev.prodlike</groupId>\n      <artifactId>prodlike-spring</artifactId>\n"
                                + "      <scope>test</scope>\n    </dependency>"));
    }
}
