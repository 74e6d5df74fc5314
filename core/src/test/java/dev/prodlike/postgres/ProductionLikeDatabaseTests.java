package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.testing.TestKitEvents;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The extension end to end against real PostgreSQL (embedded provider): fixtures run through the engine test kit.
 */
class ProductionLikeDatabaseTests {

    static EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .execute();
    }

    static EngineExecutionResults runParallel(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
                .execute();
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void assertAllPassed(EngineExecutionResults results, int tests) {
        TestKitEvents.assertAllSucceeded(results, tests);
    }

    // ---------------------------------------------------------------------------------------------------------

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @ProductionLikeDatabase
    static class InjectionTestCase {
        @Test
        void dataSourceConnectsAsTheAppRole(DataSource app) throws SQLException {
            try (Connection c = app.getConnection()) {
                SEEN.put("user", query(c, "SELECT current_user"));
                SEEN.put("super", query(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"));
                SEEN.put("bypass", query(c, "SELECT rolbypassrls::text FROM pg_roles WHERE rolname = current_user"));
                SEEN.put(
                        "owns",
                        query(
                                c,
                                "SELECT count(*) FROM pg_class WHERE relowner = "
                                        + "(SELECT oid FROM pg_roles WHERE rolname = current_user)"));
                SEEN.put("rowsWithoutTenant", query(c, "SELECT count(*) FROM orders"));
                SEEN.put("timezone", query(c, "SHOW timezone"));
            }
        }

        @Test
        void connectionAndTenantDatabase(Connection connection, TenantDatabase db) throws SQLException {
            SEEN.put("connectionUser", query(connection, "SELECT current_user"));
            SEEN.put("connectionDb", query(connection, "SELECT current_database()"));
            SEEN.put("dbName", db.databaseName());
            SEEN.put("version", db.serverVersion());
            SEEN.put("url", db.jdbcUrl());
            try (Connection owner = db.ownerDataSource().getConnection()) {
                SEEN.put(
                        "ownerSuper", query(owner, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"));
                SEEN.put("ownerRows", query(owner, "SELECT count(*) FROM orders"));
                SEEN.put("migrated", query(owner, "SELECT max(version) FROM flyway_schema_history"));
            }
        }
    }

    @Test
    void injectsAppRoleDataSourceConnectionAndTenantDatabaseOfAFreshMigratedDatabase() {
        SEEN.clear();
        assertAllPassed(run(InjectionTestCase.class), 2);

        assertThat(SEEN)
                .containsEntry("user", "orders_app")
                .containsEntry("super", "false")
                .containsEntry("bypass", "false")
                .containsEntry("owns", "0")
                .containsEntry("connectionUser", "orders_app")
                .containsEntry("version", "16.4")
                .containsEntry("ownerSuper", "true")
                .containsEntry("ownerRows", "3")
                .containsEntry("migrated", "2")
                .containsEntry("timezone", "Etc/UTC");
        assertThat(SEEN.get("rowsWithoutTenant"))
                .as("RLS applies to the app role: no tenant, no rows")
                .isEqualTo("0");
        assertThat(SEEN.get("connectionDb")).isEqualTo(SEEN.get("dbName")).startsWith("prodlike_");
        assertThat(SEEN.get("url")).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/" + SEEN.get("dbName"));
    }

    // ---------------------------------------------------------------------------------------------------------

    static final List<String> DATABASES = new CopyOnWriteArrayList<>();

    @ProductionLikeDatabase
    static class PerMethodTestCase {
        @BeforeEach
        void seed(TenantDatabase db) throws SQLException {
            DATABASES.add("before:" + db.databaseName());
            try (Connection c = db.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders (tenant_id, item) VALUES ('acme', 'only in " + db.databaseName() + "')");
            }
        }

        @Test
        void first(TenantDatabase db) throws SQLException {
            check(db);
        }

        @Test
        void second(TenantDatabase db) throws SQLException {
            check(db);
        }

        private void check(TenantDatabase db) throws SQLException {
            DATABASES.add("test:" + db.databaseName());
            try (Connection c = db.ownerDataSource().getConnection()) {
                assertThat(query(c, "SELECT count(*) FROM orders WHERE item LIKE 'only in %'"))
                        .isEqualTo("1");
            }
        }
    }

    @Test
    void perMethodIsolationGivesEveryTestItsOwnDatabaseSharedWithItsBeforeEach() {
        DATABASES.clear();
        assertAllPassed(run(PerMethodTestCase.class), 2);

        assertThat(DATABASES).hasSize(4);
        assertThat(DATABASES.get(0).substring(7)).isEqualTo(DATABASES.get(1).substring(5));
        assertThat(DATABASES.get(2).substring(7)).isEqualTo(DATABASES.get(3).substring(5));
        assertThat(DATABASES.get(1)).isNotEqualTo(DATABASES.get(3));
    }

    @ProductionLikeDatabase(isolation = Isolation.PER_CLASS)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class PerClassTestCase {
        @BeforeAll
        void seed(TenantDatabase db) throws SQLException {
            DATABASES.add(db.databaseName());
            try (Connection c = db.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders (tenant_id, item) VALUES ('acme', 'seeded once')");
            }
        }

        @Test
        void first(TenantDatabase db) throws SQLException {
            DATABASES.add(db.databaseName());
            try (Connection c = db.ownerDataSource().getConnection()) {
                assertThat(query(c, "SELECT count(*) FROM orders WHERE item = 'seeded once'"))
                        .isEqualTo("1");
            }
        }

        @Test
        void second(TenantDatabase db) {
            DATABASES.add(db.databaseName());
        }
    }

    @Test
    void perClassIsolationSharesOneDatabaseAcrossTheClassIncludingBeforeAll() {
        DATABASES.clear();
        assertAllPassed(run(PerClassTestCase.class), 2);
        assertThat(DATABASES).hasSize(3);
        assertThat(Set.copyOf(DATABASES)).hasSize(1);
    }

    @ProductionLikeDatabase
    static class BeforeAllWithPerMethodTestCase {
        @BeforeAll
        static void seed(DataSource app) {}

        @Test
        void test() {}
    }

    @Test
    void beforeAllCannotHaveAPerMethodDatabaseAndSaysWhatToDo() {
        run(BeforeAllWithPerMethodTestCase.class)
                .containerEvents()
                .failed()
                .assertThatEvents()
                .singleElement()
                .satisfies(event -> assertThat(event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                                .orElseThrow()
                                .getThrowable()
                                .orElseThrow())
                        .hasMessage("Cannot resolve parameter [javax.sql.DataSource arg0] in method [static void "
                                + BeforeAllWithPerMethodTestCase.class.getName().replace('$', '$') + ".seed("
                                + "javax.sql.DataSource)]: with Isolation.PER_METHOD every test gets its own database,"
                                + " so class-level methods (@BeforeAll, constructors) have none.\nUse @BeforeEach, or"
                                + " @ProductionLikeDatabase(isolation = Isolation.PER_CLASS) to share one database"
                                + " across the class."));
    }

    // ---------------------------------------------------------------------------------------------------------

    @ProductionLikeDatabase
    @TenantContext("globex")
    static class TenantTestCase {
        @Test
        @TenantContext("acme")
        void methodAnnotationWins(DataSource acme, Connection connection) throws SQLException {
            try (Connection c = acme.getConnection()) {
                SEEN.put("acmeRows", query(c, "SELECT count(*) FROM orders"));
                SEEN.put("acmeSetting", query(c, "SELECT current_setting('app.current_tenant')"));
            }
            SEEN.put("acmeConnectionRows", query(connection, "SELECT count(*) FROM orders"));
        }

        @Test
        void classAnnotationApplies(DataSource globex) throws SQLException {
            try (Connection c = globex.getConnection()) {
                SEEN.put("globexRows", query(c, "SELECT count(*) FROM orders"));
            }
        }

        @Test
        void asTenantAndNothingLeaksAfterClose(TenantDatabase db) throws SQLException {
            try (Connection c = db.asTenant("acme").getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders (tenant_id, item) VALUES ('acme', 'via asTenant')");
                assertThatThrownBy(() -> s.execute("INSERT INTO orders (tenant_id, item) VALUES ('globex', 'x')"))
                        .hasMessageContaining("row-level security");
            }
            try (Connection c = db.appDataSource().getConnection()) {
                SEEN.put(
                        "afterCloseSetting",
                        String.valueOf(query(c, "SELECT current_setting('app.current_tenant', true)")));
                SEEN.put("afterCloseRows", query(c, "SELECT count(*) FROM orders"));
            }
            try (Connection c = db.ownerDataSource().getConnection()) {
                SEEN.put("inserted", query(c, "SELECT count(*) FROM orders WHERE item = 'via asTenant'"));
            }
        }
    }

    @Test
    void tenantContextScopesInjectedConnectionsAndNothingCarriesOverAfterClose() {
        SEEN.clear();
        assertAllPassed(run(TenantTestCase.class), 3);
        assertThat(SEEN)
                .containsEntry("acmeRows", "2")
                .containsEntry("acmeSetting", "acme")
                .containsEntry("acmeConnectionRows", "2")
                .containsEntry("globexRows", "1")
                .containsEntry("inserted", "1")
                .containsEntry("afterCloseRows", "0");
        assertThat(SEEN.get("afterCloseSetting")).isIn("null", "");
    }

    // ---------------------------------------------------------------------------------------------------------

    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ProductionLikeDatabase(isolation = Isolation.PER_CLASS)
    @TenantContext("acme")
    @interface OrdersDatabase {}

    @OrdersDatabase
    static class MetaAnnotationTestCase {
        @Test
        void works(DataSource acme) throws SQLException {
            try (Connection c = acme.getConnection()) {
                SEEN.put("metaRows", query(c, "SELECT count(*) FROM orders"));
            }
        }

        @Nested
        class Inner {
            @Test
            void nestedClassesInheritIt(TenantDatabase db, DataSource acme) throws SQLException {
                SEEN.put("nestedDb", db.databaseName());
                try (Connection c = acme.getConnection()) {
                    SEEN.put("nestedRows", query(c, "SELECT count(*) FROM orders"));
                }
            }
        }
    }

    @Test
    void worksAsAMetaAnnotationAndInNestedClasses() {
        SEEN.clear();
        assertAllPassed(run(MetaAnnotationTestCase.class), 2);
        assertThat(SEEN).containsEntry("metaRows", "2").containsEntry("nestedRows", "2");
        assertThat(SEEN.get("nestedDb")).startsWith("prodlike_");
    }

    @ProductionLikeDatabase
    static class NestedOverrideTestCase {
        @Test
        void outer(TenantDatabase db) throws SQLException {
            SEEN.put("outerRole", db.appRole());
            try (Connection c = db.ownerDataSource().getConnection()) {
                SEEN.put(
                        "outerTables",
                        query(
                                c,
                                "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class"
                                        + " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"));
            }
        }

        @Nested
        @ProductionLikeDatabase(migrations = "classpath:db/ext", appRole = "nested_app")
        class WithOtherMigrations {
            @Test
            void inner(TenantDatabase db, DataSource app) throws SQLException {
                SEEN.put("innerRole", db.appRole());
                try (Connection c = app.getConnection()) {
                    SEEN.put("innerUser", query(c, "SELECT current_user"));
                    SEEN.put(
                            "innerTables",
                            query(
                                    c,
                                    "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class"
                                            + " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"));
                }
            }
        }
    }

    @Test
    void aNestedClassWithOtherAttributesGetsItsOwnTemplateNotItsOuterClasss() {
        SEEN.clear();
        assertAllPassed(run(NestedOverrideTestCase.class), 2);
        assertThat(SEEN)
                .containsEntry("outerRole", "orders_app")
                .containsEntry("innerRole", "nested_app")
                .containsEntry("innerUser", "nested_app");
        assertThat(SEEN.get("outerTables")).contains("orders").doesNotContain("notes");
        assertThat(SEEN.get("innerTables")).contains("notes").doesNotContain("orders");
    }

    static class TenantContextAloneTestCase {
        @Test
        @TenantContext("acme")
        void noDatabaseDeclared(DataSource acme) {}
    }

    @Test
    void tenantContextWithoutProductionLikeDatabaseSaysWhatIsMissing() {
        run(TenantContextAloneTestCase.class)
                .testEvents()
                .failed()
                .assertThatEvents()
                .singleElement()
                .satisfies(event -> assertThat(event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                                .orElseThrow()
                                .getThrowable()
                                .orElseThrow())
                        .hasMessageContaining("No @ProductionLikeDatabase on class "
                                + TenantContextAloneTestCase.class.getName() + " or its enclosing classes"));
    }

    // ---------------------------------------------------------------------------------------------------------

    @ProductionLikeDatabase
    static class UnsupportedTypeTestCase {
        @Test
        void wantsAPgDataSource(org.postgresql.ds.PGSimpleDataSource ds) {}
    }

    @Test
    void unsupportedParameterTypeNamesTheSupportedOnes() {
        run(UnsupportedTypeTestCase.class)
                .testEvents()
                .failed()
                .assertThatEvents()
                .singleElement()
                .satisfies(event -> assertThat(event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                                .orElseThrow()
                                .getThrowable()
                                .orElseThrow())
                        .isInstanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class)
                        .hasMessage("Can only resolve @ProductionLikeDatabase parameter of type javax.sql.DataSource,"
                                + " java.sql.Connection or dev.prodlike.postgres.TenantDatabase but was:"
                                + " org.postgresql.ds.PGSimpleDataSource"));
    }

    // ---------------------------------------------------------------------------------------------------------

    static final Set<String> PARALLEL_DBS = ConcurrentHashMap.newKeySet();
    static final List<String> PARALLEL_THREADS = new CopyOnWriteArrayList<>();

    @ProductionLikeDatabase
    static class ParallelTestCase {
        void work(TenantDatabase db) throws Exception {
            PARALLEL_THREADS.add(Thread.currentThread().getName());
            try (Connection c = db.asTenant("acme").getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders (tenant_id, item) VALUES ('acme', 'parallel marker')");
                Thread.sleep(50); // overlap with the other tests
                assertThat(query(c, "SELECT count(*) FROM orders WHERE item = 'parallel marker'"))
                        .isEqualTo("1");
            }
            assertThat(PARALLEL_DBS.add(db.databaseName()))
                    .as("database handed out twice")
                    .isTrue();
        }

        @Test
        void t1(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t2(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t3(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t4(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t5(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t6(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t7(TenantDatabase db) throws Exception {
            work(db);
        }

        @Test
        void t8(TenantDatabase db) throws Exception {
            work(db);
        }
    }

    @ProductionLikeDatabase
    static class OtherParallelTestCase extends ParallelTestCase {}

    @Test
    void parallelClassesAndMethodsNeverShareADatabase() {
        PARALLEL_DBS.clear();
        PARALLEL_THREADS.clear();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ParallelTestCase.class), selectClass(OtherParallelTestCase.class))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
                .execute();
        assertAllPassed(results, 16);
        assertThat(PARALLEL_DBS).hasSize(16);
        assertThat(Set.copyOf(PARALLEL_THREADS)).as("ran on several threads").hasSizeGreaterThan(1);
    }

    // ---------------------------------------------------------------------------------------------------------

    @ProductionLikeDatabase
    static class FaultsTestCase {
        @Test
        void terminateConnections(TenantDatabase db, Connection open) throws SQLException {
            assertThat(query(open, "SELECT 1")).isEqualTo("1");
            assertThat(db.faults().terminateConnections()).isGreaterThanOrEqualTo(1);
            assertThatThrownBy(() -> query(open, "SELECT 1")).isInstanceOf(SQLException.class);
            try (Connection fresh = db.appDataSource().getConnection()) {
                assertThat(query(fresh, "SELECT 1")).isEqualTo("1");
            }
        }

        @Test
        @SuppressWarnings("try") // the outage lasts while the try block runs
        void outageRefusesConnectionsUntilClosed(TenantDatabase db, DataSource app) throws SQLException {
            try (DatabaseFaults.Outage outage = db.faults().outage()) {
                assertThatThrownBy(app::getConnection)
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("is not currently accepting connections");
            }
            try (Connection c = app.getConnection()) {
                assertThat(query(c, "SELECT 1")).isEqualTo("1");
            }
        }
    }

    @Test
    void faultsTerminateConnectionsAndCauseAnOutageOfTheTestsOwnDatabase() {
        assertAllPassed(run(FaultsTestCase.class), 2);
    }

    // ---------------------------------------------------------------------------------------------------------

    static final Map<String, Integer> PORTS = new ConcurrentHashMap<>();

    @ProductionLikeDatabase
    static class LifecycleTestCase {
        @Test
        void recordsTheServer(TenantDatabase db) throws SQLException {
            PORTS.put("port", db.faults().network().target().getPort()); // the server's, not the test's proxy
            try (Connection c = db.ownerDataSource().getConnection()) {
                SEEN.put("dataDirectory", query(c, "SHOW data_directory"));
            }
        }
    }

    @Test
    void theServerStopsWhenTheTestRunEndsAndTheReportIsWritten() throws Exception {
        SEEN.remove("dataDirectory");
        assertAllPassed(run(LifecycleTestCase.class), 1);
        int port = PORTS.get("port");
        // Stopped and removed: its data directory is gone (the port may already serve a parallel class's server).
        assertThat(java.nio.file.Paths.get(SEEN.get("dataDirectory"))).doesNotExist();
        String json = java.nio.file.Files.readString(java.nio.file.Paths.get("target", "prodlike", "environment.json"));
        String entry = json.substring(json.lastIndexOf("\"id\"", json.indexOf("\"endpoint\": \"127.0.0.1:" + port)));
        entry = entry.substring(0, entry.indexOf("\"runFinished\"") + "\"runFinished\": true".length());
        assertThat(entry)
                .endsWith("\"runFinished\": true")
                .contains("\"postgres.version\"")
                .contains("\"production\": \"16.4\"")
                .contains("\"cloneWaitP50Ms\"")
                .contains("\"migrateMs\"")
                .contains("\"fsync=off\"");
        assertThat(java.nio.file.Paths.get("target", "prodlike", "environment.md"))
                .exists();
    }
}
