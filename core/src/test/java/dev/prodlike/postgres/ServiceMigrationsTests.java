package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.internal.Console;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Migrations as services really write them run as in production: ones that create their own app role, and ones
 * that fail with an error (not an exception) leave nothing behind that would make the next class fail differently.
 */
class ServiceMigrationsTests {

    static final String BASE = "postgres.version=16.4\npostgres.app-role=orders_app\n"
            + "postgres.tenant-setting=app.current_tenant\n"
            + "provider=embedded\n";

    /** The app role the test database connects as, with what the migration granted it. */
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @ProductionLikeDatabase(migrations = "classpath:db/createsrole", appRole = "notes_svc")
    static class CreatesItsRoleTestCase {
        @Test
        void connectsAsTheRoleTheMigrationCreated(DataSource app) throws Exception {
            try (Connection c = app.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("SET app.current_tenant = 'acme'");
                s.execute("INSERT INTO notes VALUES (1, 'acme', 'hello')");
                try (ResultSet rs = s.executeQuery("SELECT current_user, (SELECT rolsuper OR rolbypassrls FROM"
                        + " pg_roles WHERE rolname = current_user), (SELECT count(*) FROM notes)")) {
                    rs.next();
                    SEEN.add(rs.getString(1) + " bypasses=" + rs.getBoolean(2) + " rows=" + rs.getInt(3));
                }
            }
        }
    }

    @Test
    void migrationsThatCreateTheAppRoleRunAsInProduction() throws Exception {
        SEEN.clear();
        try (Console.Interception console = Console.intercept("app role notes_svc")) {
            EngineExecutionResults results = ProfileOverride.with(
                    BASE,
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(CreatesItsRoleTestCase.class))
                            .execute());
            TestKitEvents.assertAllSucceeded(results, 1);
            assertThat(console.lines())
                    .containsExactly("app role notes_svc: created by the migrations (V1__init.sql), as in production");
        }
        assertThat(SEEN).containsExactly("notes_svc bypasses=false rows=1");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/createsrole_placeholder", appRole = "notes_placeholder")
    static class CreatesItsRoleByPlaceholderTestCase {
        @Test
        void connectsAsIt(DataSource app) throws Exception {
            try (Connection c = app.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_user")) {
                rs.next();
                SEEN.add(rs.getString(1));
            }
        }
    }

    @Test
    void aRoleCreatedThroughTheAppRolePlaceholderCounts() throws Exception {
        SEEN.clear();
        try (Console.Interception console = Console.intercept("app role notes_placeholder")) {
            EngineExecutionResults results = ProfileOverride.with(
                    BASE,
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(CreatesItsRoleByPlaceholderTestCase.class))
                            .execute());
            TestKitEvents.assertAllSucceeded(results, 1);
            assertThat(console.lines())
                    .containsExactly(
                            "app role notes_placeholder: created by the migrations (V1__init.sql), as in production");
        }
        assertThat(SEEN).containsExactly("notes_placeholder");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/linkage")
    @Order(1)
    static class FailsWithAnErrorTestCase {
        @Test
        void test(DataSource app) {}
    }

    @ProductionLikeDatabase(migrations = "classpath:db/linkage")
    @Order(2)
    static class FailsWithAnErrorTooTestCase extends FailsWithAnErrorTestCase {}

    /** Runs last on the same server: which templates does it hold? */
    @ProductionLikeDatabase
    @Order(3)
    static class InspectsTheServerTestCase {
        @Test
        void listsTemplates(DataSource app) throws Exception {
            try (Connection c = app.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT datname FROM pg_database"
                            // a cached cluster's template (embedded), or a run's (prodlike_<run>_t<n>, Docker)
                            + " WHERE datname ~ '^prodlike_(tpl_[0-9a-f]+|[0-9a-z_]+_t[0-9]+)$' ORDER BY 1")) {
                while (rs.next()) {
                    SEEN.add(rs.getString(1));
                }
            }
        }
    }

    @Test
    void aMigrationFailingWithAnErrorFailsEveryClassWithItsCauseAndLeavesNoTemplate() throws Exception {
        SEEN.clear();
        EngineExecutionResults results = ProfileOverride.with(
                BASE,
                () -> EngineTestKit.engine("junit-jupiter")
                        .configurationParameter(
                                "junit.jupiter.testclass.order.default", ClassOrderer.OrderAnnotation.class.getName())
                        .selectors(
                                selectClass(InspectsTheServerTestCase.class),
                                selectClass(FailsWithAnErrorTestCase.class),
                                selectClass(FailsWithAnErrorTooTestCase.class))
                        .execute());
        var failures = results.containerEvents().failed().list();
        assertThat(failures).hasSize(2);
        for (var failure : failures) {
            Throwable cause = failure.getPayload(TestExecutionResult.class)
                    .orElseThrow()
                    .getThrowable()
                    .orElseThrow();
            assertThat(cause)
                    .as(failure.getTestDescriptor().getDisplayName())
                    .hasMessageContaining("java.lang.NoClassDefFoundError: com/example/billing/TaxTables")
                    .hasMessageNotContaining("already exists");
        }
        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(SEEN)
                .as("templates on the server after the failed migrations")
                .hasSize(1);
    }
}
