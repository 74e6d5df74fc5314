package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@code postgres.changelog}: the service's Liquibase changelog (YAML or XML, with includes) applied with the
 * service's own liquibase-core, as the owner, with {@code ${app_role}}, contexts and labels; a failing changeset named;
 * and the profile errors around choosing Flyway or Liquibase.
 */
class LiquibaseTests {

    static final String BASE = "postgres.version=16.4\npostgres.app-role=orders_app\n"
            + "postgres.tenant-setting=app.current_tenant\nprovider="
            + System.getProperty("prodlike.provider", "embedded") + "\n";
    static final String YAML = BASE + "postgres.changelog=classpath:db/liquibase/yaml/db.changelog-master.yaml\n";
    static final String XML = BASE + "postgres.changelog=classpath:db/liquibase/xml/master.xml\n";

    static EngineExecutionResults run(String profile, Class<?> fixture) throws Exception {
        return ProfileOverride.with(
                profile,
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(fixture))
                        .execute());
    }

    static Throwable classFailure(String profile, Class<?> fixture) throws Exception {
        EngineExecutionResults results = run(profile, fixture);
        results.testEvents().assertStatistics(stats -> stats.started(0));
        return results.containerEvents()
                .failed()
                .list()
                .get(0)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
    }

    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    @ProductionLikeDatabase
    static class YamlChangelogTestCase {
        @Test
        @TenantContext("acme")
        void theAppRoleWorksUnderRowLevelSecurity(DataSource acme, TenantDatabase db) throws SQLException {
            try (Connection globex = db.asTenant("globex").getConnection();
                    Statement s = globex.createStatement()) {
                s.execute("INSERT INTO orders (item) VALUES ('globex order')");
            }
            try (Connection c = acme.getConnection();
                    Statement s = c.createStatement()) {
                assertThat(rows(c, "SELECT current_user")).containsExactly("orders_app");
                s.execute("INSERT INTO orders (item) VALUES ('acme order')");
                // the demo order (context demo) ran too: no contexts were asked for, so every changeset runs
                assertThat(rows(c, "SELECT item FROM orders ORDER BY id")).containsExactly("demo order", "acme order");
            }
        }

        @Test
        void liquibaseTablesAreAsProductionHasThem(TenantDatabase db) throws SQLException {
            try (Connection c = db.ownerDataSource().getConnection()) {
                assertThat(rows(c, "SELECT id, author, filename FROM databasechangelog ORDER BY orderexecuted"))
                        .containsExactly(
                                "001-orders | orders-team | db/liquibase/yaml/changes/001-orders.yaml",
                                "002-rls | orders-team | db/liquibase/yaml/changes/002-rls.yaml",
                                "003-demo-orders | orders-team | db/liquibase/yaml/changes/003-seed.yaml",
                                "003-experiments | orders-team | db/liquibase/yaml/changes/003-seed.yaml");
                assertThat(rows(c, "SELECT locked FROM databasechangeloglock")).containsExactly("f");
                assertThat(rows(
                                c,
                                "SELECT tableowner <> 'orders_app' FROM pg_tables WHERE tablename IN"
                                        + " ('databasechangelog', 'databasechangeloglock', 'orders', 'experiments')"))
                        .containsExactly("t", "t", "t", "t");
            }
        }
    }

    @Test
    void aYamlChangelogWithIncludesAndAnSqlFile() throws Exception {
        TestKitEvents.assertAllSucceeded(run(YAML, YamlChangelogTestCase.class), 2);
    }

    @ProductionLikeDatabase
    static class ContextsAndLabelsTestCase {
        @Test
        void onlyWhatProductionRuns(TenantDatabase db) throws SQLException {
            try (Connection c = db.ownerDataSource().getConnection()) {
                assertThat(rows(c, "SELECT id FROM databasechangelog ORDER BY orderexecuted"))
                        .containsExactly("001-orders", "002-rls");
                assertThat(rows(c, "SELECT count(*) FROM orders")).containsExactly("0");
                assertThat(rows(c, "SELECT to_regclass('experiments') IS NULL")).containsExactly("t");
            }
        }
    }

    @Test
    void contextsAndLabelsAreProfileKeys() throws Exception {
        TestKitEvents.assertAllSucceeded(
                run(
                        YAML + "postgres.liquibase.contexts=production\n" + "postgres.liquibase.labels=!experimental\n",
                        ContextsAndLabelsTestCase.class),
                1);
    }

    @ProductionLikeDatabase
    static class XmlChangelogTestCase {
        @Test
        @TenantContext("acme")
        void includeAllAppliesEveryChangelogOfTheFolder(DataSource acme, TenantDatabase db) throws SQLException {
            try (Connection owner = db.ownerDataSource().getConnection()) {
                assertThat(rows(owner, "SELECT id, filename FROM databasechangelog ORDER BY orderexecuted"))
                        .containsExactly(
                                "001-customers | db/liquibase/xml/changes/001-customers.xml",
                                "002-grants | db/liquibase/xml/changes/002-grants.sql");
                owner.createStatement().execute("INSERT INTO customers VALUES (1, 'globex', 'Globex')");
            }
            try (Connection c = acme.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO customers (id, name) VALUES (2, 'Acme')");
                assertThat(rows(c, "SELECT name FROM customers")).containsExactly("Acme");
            }
        }
    }

    @Test
    void anXmlChangelogWithIncludeAllAndAFormattedSqlFile() throws Exception {
        TestKitEvents.assertAllSucceeded(run(XML, XmlChangelogTestCase.class), 1);
    }

    @ProductionLikeDatabase
    static class PlainTestCase {
        @Test
        void test(DataSource ds) {}
    }

    /** Records what Liquibase's loggers pass on to java.util.logging's root handlers (stderr by default). */
    static final class JulRecorder extends Handler implements AutoCloseable {
        final List<String> messages = new CopyOnWriteArrayList<>();
        private final Logger root = Logger.getLogger("");

        JulRecorder() {
            root.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName() != null && record.getLoggerName().startsWith("liquibase")) {
                messages.add(record.getLevel() + " " + record.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            root.removeHandler(this);
        }
    }

    @Test
    void aFailingChangesetIsNamedWithItsFileAndTheDatabaseError() throws Exception {
        // A failed template is never cached: Liquibase really runs (and fails) here, through an includeAll, so this
        // run also shows that none of its progress, summary or error lines reach java.util.logging's console.
        Throwable failure;
        List<String> julMessages;
        try (JulRecorder jul = new JulRecorder()) {
            failure = classFailure(
                    BASE + "postgres.changelog=classpath:db/liquibase/broken/master.yaml\n", PlainTestCase.class);
            julMessages = jul.messages;
        }
        assertThat(failure)
                .hasMessageStartingWith("A changeset failed while preparing the template database (server: ")
                .hasMessageContaining("\nChangeset  : 002-typo\nAuthor     : alice\n"
                        + "File       : db/liquibase/broken/changes/002-typo.yaml\nSQL State  : 42601\n"
                        + "Error      : ERROR: syntax error at or near \"TABEL\"")
                .hasMessageContaining("\nStatement  : CREATE TABEL gizmos (id int PRIMARY KEY)\n")
                .hasMessageEndingWith("fix the changeset, or create what it expects to exist before it runs.");
        assertThat(julMessages).as("Liquibase's lines on java.util.logging").isEmpty();
    }

    @Test
    void flywayAndLiquibaseTogetherAreRefused() throws Exception {
        assertThat(classFailure(YAML + "postgres.migrations=classpath:db/migration\n", PlainTestCase.class))
                .hasMessage("Both postgres.migrations=classpath:db/migration (prodlike.properties, Flyway) and"
                        + " postgres.changelog=classpath:db/liquibase/yaml/db.changelog-master.yaml"
                        + " (prodlike.properties, Liquibase) are set, but production migrates with one tool.\n"
                        + "Fix: keep the key of the tool production runs and remove the other.");
    }

    @Test
    void aChangelogThatIsNotThere() throws Exception {
        assertThat(classFailure(BASE + "postgres.changelog=classpath:db/changelog/nope.yaml\n", PlainTestCase.class))
                .hasMessage("postgres.changelog=classpath:db/changelog/nope.yaml (prodlike.properties) names no"
                        + " file on the test classpath.\nFix: point it at the service's master changelog, e.g."
                        + " postgres.changelog=classpath:db/changelog/db.changelog-master.yaml"
                        + " (src/main/resources/db/changelog/db.changelog-master.yaml).");
    }

    @Test
    void liquibaseKeysWithoutAChangelog() throws Exception {
        assertThat(classFailure(BASE + "postgres.liquibase.contexts=production\n", PlainTestCase.class))
                .hasMessage("postgres.liquibase.contexts=production (prodlike.properties) applies to a Liquibase"
                        + " changelog, but postgres.changelog is not set.\nFix: set"
                        + " postgres.changelog=classpath:<the master changelog>, or remove"
                        + " postgres.liquibase.contexts.");
    }

    @Test
    void aChangelogKeyThatNamesNoChangelogFile() throws Exception {
        assertThat(classFailure(BASE + "postgres.changelog=classpath:db/changelog/\n", PlainTestCase.class))
                .hasMessageContaining("postgres.changelog=classpath:db/changelog/\n  postgres.changelog must name a"
                        + " changelog file (.yaml, .yml, .xml, .json or .sql), e.g."
                        + " classpath:db/changelog/db.changelog-master.yaml.");
    }
}
