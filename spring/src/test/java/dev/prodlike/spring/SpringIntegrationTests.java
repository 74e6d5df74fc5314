package dev.prodlike.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.zaxxer.hikari.HikariDataSource;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The application context's own DataSource follows the current test: one context for many classes, a fresh
 * database per test, as the app role, with the tenant of {@code @TenantContext}, also when tests run in parallel.
 */
class SpringIntegrationTests {

    /** Databases the fixtures saw, by scenario. */
    static final Map<String, Set<String>> DATABASES = new ConcurrentHashMap<>();

    static EngineExecutionResults run(Map<String, String> parameters, Class<?>... classes) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(parameters)
                .selectors(java.util.Arrays.stream(classes)
                        .map(c -> selectClass(c))
                        .toArray(org.junit.platform.engine.DiscoverySelector[]::new))
                .execute();
    }

    static EngineExecutionResults run(Class<?>... classes) {
        return run(Map.of(), classes);
    }

    /** Inserts an order as the application, then counts what the application sees. */
    static void usesItsOwnFreshDatabase(String scenario, JdbcTemplate jdbc, TenantDatabase db) {
        assertThat(jdbc.queryForObject("SELECT current_database()", String.class))
                .isEqualTo(db.databaseName());
        assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo("orders_app");
        assertThat(jdbc.queryForObject("SELECT current_setting('app.current_tenant')", String.class))
                .isEqualTo("acme");
        jdbc.update("INSERT INTO orders (tenant_id, item) VALUES ('acme', 'from the application')");
        // 2 seeded acme orders + this test's one; globex's order is hidden by RLS
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class))
                .isEqualTo(3);
        DATABASES.computeIfAbsent(scenario, k -> ConcurrentHashMap.newKeySet()).add(db.databaseName());
    }

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=shared")
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class FirstSharedTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void one(TenantDatabase db) {
            usesItsOwnFreshDatabase("shared", jdbc, db);
        }

        @Test
        void two(TenantDatabase db) {
            usesItsOwnFreshDatabase("shared", jdbc, db);
        }
    }

    @ProductionLikeDatabase
    @SpringBootTest(classes = TestApplication.class, properties = "scenario=shared")
    @TenantContext("acme")
    static class SecondSharedTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void three(TenantDatabase db) {
            usesItsOwnFreshDatabase("shared", jdbc, db);
        }
    }

    @Test
    void oneContextServesManyClassesAndEveryTestGetsItsOwnDatabase() {
        run(FirstSharedTestCase.class, SecondSharedTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(3).succeeded(3));
        assertThat(TestApplication.contexts("shared")).isEqualTo(1);
        assertThat(DATABASES.get("shared")).hasSize(3);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The application's backend of each repetition, in order. */
    static final List<Integer> BACKENDS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=handed-on")
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class HandedOnTestCase {
        @Autowired
        JdbcTemplate jdbc;

        /** Reads only: a database whose test wrote to a table its template holds rows in is not handed on. */
        @org.junit.jupiter.api.RepeatedTest(10)
        void readsOrdersAndChangesASetting(TenantDatabase db) throws InterruptedException {
            BACKENDS.add(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class));
            assertThat(jdbc.queryForObject(
                            "SELECT current_database() || ' ' || current_user || ' '"
                                    + " || current_setting('app.current_tenant') || ' ' || current_setting('work_mem')",
                            String.class))
                    .as("database, role, tenant, and work_mem, which an earlier test set in this session")
                    .isEqualTo(db.databaseName() + " orders_app acme 4MB");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class))
                    .isEqualTo(2);
            jdbc.execute("SET work_mem = '7MB'");
            Thread.sleep(150); // the last test's database is checked and handed on meanwhile
        }
    }

    @Test
    void theNextTestGetsTheApplicationsSessionWithItsDatabaseResetAndItsOwnTenant() {
        run(HandedOnTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(10).succeeded(10));
        long again = java.util.stream.IntStream.range(1, BACKENDS.size())
                .filter(i -> BACKENDS.subList(0, i).contains(BACKENDS.get(i)))
                .count();
        assertThat(again)
                .as("repetitions whose application got the session an earlier one left in its database: %s", BACKENDS)
                .isPositive();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Per repetition: how many sessions waiting in other clones of the template it ended. */
    static final List<Integer> ENDED = new java.util.concurrent.CopyOnWriteArrayList<>();

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=ended-ahead")
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class EndedAheadTestCase {
        @Autowired
        JdbcTemplate jdbc;

        /**
         * Ends, as the owner, every session of the app role waiting in another database (opened ahead for a ready
         * clone, or parked in a handed-on one): the next repetitions take such a session, dead, and must get a live
         * connection all the same. Nothing else runs in this JVM meanwhile.
         */
        @org.junit.jupiter.api.RepeatedTest(6)
        void endsTheSessionsWaitingInOtherDatabases(TenantDatabase db) throws InterruptedException {
            assertThat(jdbc.queryForObject(
                            "SELECT current_database() || ' ' || current_setting('app.current_tenant')", String.class))
                    .isEqualTo(db.databaseName() + " acme");
            ENDED.add(new JdbcTemplate(db.ownerDataSource())
                    .queryForObject(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'orders_app'"
                                    + " AND datname <> current_database()",
                            Integer.class));
            Thread.sleep(150);
        }
    }

    @Test
    void aConnectionThatEndedBeforeItsTestTookItIsReplaced() {
        run(EndedAheadTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(6).succeeded(6));
        assertThat(ENDED.subList(0, ENDED.size() - 1))
                .as("sessions ended before a later repetition took its connection")
                .anySatisfy(n -> assertThat(n).isPositive());
    }

    // ---------------------------------------------------------------------------------------------------------

    static final CyclicBarrier BOTH_RUNNING = new CyclicBarrier(2);

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=parallel")
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class ParallelTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void left(TenantDatabase db) throws Exception {
            together(db);
        }

        @Test
        void right(TenantDatabase db) throws Exception {
            together(db);
        }

        private void together(TenantDatabase db) throws Exception {
            assertThat(jdbc.queryForObject("SELECT current_database()", String.class))
                    .isEqualTo(db.databaseName());
            BOTH_RUNNING.await(60, TimeUnit.SECONDS); // both tests now hold the one context at once
            usesItsOwnFreshDatabase("parallel", jdbc, db);
            BOTH_RUNNING.await(60, TimeUnit.SECONDS);
            assertThat(jdbc.queryForObject("SELECT current_database()", String.class))
                    .isEqualTo(db.databaseName());
        }
    }

    @Test
    void testsRunningAtOnceAgainstOneContextSeeOnlyTheirOwnDatabase() {
        run(
                        Map.of(
                                "junit.jupiter.execution.parallel.enabled",
                                "true",
                                "junit.jupiter.execution.parallel.mode.default",
                                "concurrent",
                                "junit.jupiter.execution.parallel.config.strategy",
                                "fixed",
                                "junit.jupiter.execution.parallel.config.fixed.parallelism",
                                "2"),
                        ParallelTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(TestApplication.contexts("parallel")).isEqualTo(1);
        assertThat(DATABASES.get("parallel")).hasSize(2);
    }

    // ---------------------------------------------------------------------------------------------------------

    static String onAnotherThread(JdbcTemplate jdbc) throws Exception {
        java.util.concurrent.ExecutorService other =
                java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "not-the-test"));
        try {
            return other.submit(() -> jdbc.queryForObject("SELECT current_database()", String.class))
                    .get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        } finally {
            other.shutdownNow();
        }
    }

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=threads")
    @ProductionLikeDatabase
    static class OtherThreadTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void anotherThreadWorksForTheOnlyTestRunning(TenantDatabase db) throws Exception {
            assertThat(onAnotherThread(jdbc)).isEqualTo(db.databaseName());
        }
    }

    static final CyclicBarrier BOTH_STARTED = new CyclicBarrier(2);

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=threads")
    @ProductionLikeDatabase
    static class OtherThreadInParallelTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void hops() throws Exception {
            BOTH_STARTED.await(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> onAnotherThread(jdbc))
                    .rootCause()
                    .hasMessageStartingWith("prodlike cannot tell"
                            + " which test thread 'not-the-test' works for: it asks for a JDBC connection (DataSource bean"
                            + " 'dataSource') while 2 tests run at once against this application context")
                    .hasMessageEndingWith(
                            "Run such test classes alone: annotate them @org.junit.jupiter.api.parallel.Isolated, or call the"
                                    + " application through MockMvc.");
            BOTH_STARTED.await(60, TimeUnit.SECONDS);
        }

        @Test
        void staysOnItsThread(TenantDatabase db) throws Exception {
            BOTH_STARTED.await(60, TimeUnit.SECONDS);
            assertThat(jdbc.queryForObject("SELECT current_database()", String.class))
                    .isEqualTo(db.databaseName());
            BOTH_STARTED.await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aConnectionTakenOnAnotherThreadGoesToTheOnlyTestRunningAndIsRefusedWhenSeveralRun() {
        run(OtherThreadTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(1).succeeded(1));
        run(
                        Map.of(
                                "junit.jupiter.execution.parallel.enabled",
                                "true",
                                "junit.jupiter.execution.parallel.mode.default",
                                "concurrent",
                                "junit.jupiter.execution.parallel.config.strategy",
                                "fixed",
                                "junit.jupiter.execution.parallel.config.fixed.parallelism",
                                "2"),
                        OtherThreadInParallelTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(TestApplication.contexts("threads")).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------

    static volatile DataSource kept;
    static volatile Connection leaked;

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=after")
    @ProductionLikeDatabase
    static class KeepsTheDataSourceTestCase {
        @Autowired
        DataSource dataSource;

        @Test
        void leaksAConnection() throws Exception {
            kept = dataSource;
            leaked = dataSource.getConnection();
            assertThat(leaked.isValid(5)).isTrue();
        }
    }

    @Test
    void noConnectionOutlivesItsTestNorReachesADroppedDatabase() throws Exception {
        run(KeepsTheDataSourceTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(leaked.isClosed()).isTrue();
        assertThatThrownBy(() -> kept.getConnection())
                .hasMessageStartingWith("prodlike cannot give a JDBC"
                        + " connection (DataSource bean 'dataSource') to thread '"
                        + Thread.currentThread().getName()
                        + "': no test is running against this application context");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Per repetition: whether the application's first connection started before the test did. */
    static final List<Boolean> OPENED_BEFORE_THE_TEST = new java.util.concurrent.CopyOnWriteArrayList<>();

    @SpringBootTest(classes = TestApplication.class, properties = "scenario=ahead")
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class AheadTestCase {
        @Autowired
        JdbcTemplate jdbc;

        /** A pause after each repetition lets the next clone's connection open (a busy machine may need it). */
        @org.junit.jupiter.api.RepeatedTest(8)
        void firstConnection(TenantDatabase db) throws Exception {
            java.time.Instant started = java.time.Instant.now();
            java.sql.Timestamp backendStart = jdbc.queryForObject(
                    "SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()",
                    java.sql.Timestamp.class);
            usesItsOwnFreshDatabase("ahead", jdbc, db);
            OPENED_BEFORE_THE_TEST.add(backendStart.toInstant().isBefore(started));
            Thread.sleep(250);
        }
    }

    /**
     * Every test of an application opens a connection, so its clone's first one is opened as soon as the clone is
     * ready: the test finds a session as the app role, with its tenant set, to its own fresh database.
     */
    @Test
    void theApplicationsFirstConnectionIsOpenedBeforeItsTestStarts() {
        run(AheadTestCase.class).testEvents().assertStatistics(s -> s.started(8).succeeded(8));
        assertThat(DATABASES.get("ahead")).hasSize(8);
        assertThat(OPENED_BEFORE_THE_TEST).hasSize(8).contains(true);
    }

    // ---------------------------------------------------------------------------------------------------------

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OwnPoolApplication {
        @Bean
        HikariDataSource dataSource() {
            HikariDataSource ds = new HikariDataSource();
            ds.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/orders");
            return ds;
        }
    }

    @SpringBootTest(classes = OwnPoolApplication.class)
    @ProductionLikeDatabase
    static class OwnPoolTestCase {
        @Test
        void test() {}
    }

    @Test
    void aDataSourceBeanDeclaredAsAConcretePoolIsRefusedWithTheFix() {
        Throwable failure = onlyFailure(runCapturingStderr(OwnPoolTestCase.class));
        assertThat(rootCause(failure))
                .hasMessage("Error creating bean with name 'dataSource': @ProductionLikeDatabase"
                        + " cannot replace the application's DataSource bean 'dataSource' declared as"
                        + " com.zaxxer.hikari.HikariDataSource (" + OwnPoolApplication.class.getName()
                        + ".dataSource()):"
                        + " prodlike puts a DataSource in its place that connects as the app role to the current test's"
                        + " database, and a bean declared as a concrete pool type may be injected as that type.\nDeclare it"
                        + " as DataSource:\n    @Bean DataSource dataSource(...)\nor let Spring Boot create it from"
                        + " spring.datasource.* (no DataSource @Bean).");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OwnDataSourceApplication {
        @Bean
        DataSource dataSource() {
            HikariDataSource ds = new HikariDataSource();
            ds.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/orders");
            return ds;
        }
    }

    @SpringBootTest(classes = OwnDataSourceApplication.class)
    @ProductionLikeDatabase
    static class OwnDataSourceTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void connectsToTheTestDatabase(TenantDatabase db) {
            assertThat(jdbc.queryForObject("SELECT current_database()", String.class))
                    .isEqualTo(db.databaseName());
        }
    }

    @Test
    void aDataSourceBeanDeclaredAsDataSourceIsReplaced() {
        run(OwnDataSourceTestCase.class)
                .testEvents()
                .assertStatistics(s -> s.started(1).succeeded(1));
    }

    @SpringBootTest(classes = TestApplication.class, properties = "spring.datasource.username=postgres")
    @ProductionLikeDatabase
    static class SuperuserTestCase {
        @Test
        void test() {}
    }

    @Test
    void aSuperuserInSpringDatasourceUsernameIsRefusedWithTheFix() {
        assertThat(onlyFailure(runCapturingStderr(SuperuserTestCase.class)))
                .hasMessage("spring.datasource.username=postgres is a"
                        + " superuser on the test server, so row-level security would never apply to the application:"
                        + " tests would pass that production (connecting as orders_app) fails, or the other way round.\n"
                        + "prodlike connects the application as the app role 'orders_app' (postgres.app-role). Connect as"
                        + " that role in production too:\n    spring.datasource.username=orders_app\nor drop"
                        + " spring.datasource.username from the configuration the tests load.");
    }

    /** Runs fixtures whose context fails to load: Spring Boot prints its condition report to System.err. */
    static EngineExecutionResults runCapturingStderr(Class<?> testClass) {
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
        try {
            return run(testClass);
        } finally {
            System.setErr(err);
        }
    }

    static Throwable onlyFailure(EngineExecutionResults results) {
        List<Event> failed = results.allEvents().failed().list();
        assertThat(failed).hasSize(1);
        return failed.get(0)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
