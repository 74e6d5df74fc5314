package dev.prodlike.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Console;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache key of a Liquibase template covers every file the changelog reads, and nothing else; which tool is
 * chosen when the profile names neither; Liquibase's messages routed as Flyway's are.
 */
class LiquibaseChangelogTests {

    static final String MASTER = "lbfp/db.changelog-master.yaml";

    @TempDir
    Path root;

    @BeforeEach
    void aChangelogTree() throws IOException {
        write("lbfp/db.changelog-master.yaml", """
                databaseChangeLog:
                  - include:
                      file: changes/001-orders.yaml
                      relativeToChangelogFile: true
                  - include:
                      file: lbfp/shared/002-rls.yaml
                  - includeAll:
                      path: more/
                      relativeToChangelogFile: true
                """);
        write("lbfp/changes/001-orders.yaml", """
                databaseChangeLog:
                  - changeSet:
                      id: 001
                      author: a
                      changes:
                        - sql:
                            sql: CREATE TABLE orders (id int PRIMARY KEY, tenant_id text)
                """);
        write("lbfp/shared/002-rls.yaml", """
                databaseChangeLog:
                  - changeSet:
                      id: 002
                      author: a
                      changes:
                        - sqlFile:
                            path: sql/rls.sql
                            relativeToChangelogFile: true
                """);
        write("lbfp/shared/sql/rls.sql", "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;\n");
        write("lbfp/more/003-grants.sql", """
                --liquibase formatted sql
                --changeset a:003
                GRANT SELECT ON orders TO ${app_role};
                """);
        write("lbfp/changes/unrelated.sql", "-- included by nothing\n");
        write("lbfp/README.md", "How we migrate.\n");
    }

    void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    String fingerprint(String contexts, String labels, String role) throws Exception {
        return withLoader(
                new URLClassLoader(new URL[] {root.toUri().toURL()}, getClass().getClassLoader()),
                () -> new LiquibaseMigrations(new LiquibaseChangelog(MASTER, contexts, labels)).fingerprint(role, "x"));
    }

    String fingerprint() throws Exception {
        return fingerprint(null, null, "orders_app");
    }

    static <T> T withLoader(ClassLoader loader, Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return action.call();
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    @Test
    void everyFileTheChangelogReadsIsInTheFingerprint() throws Exception {
        String before = fingerprint();
        assertThat(before).matches("[0-9a-f]{16}");
        assertThat(fingerprint()).as("the same files, the same key").isEqualTo(before);

        write("lbfp/db.changelog-master.yaml", Files.readString(root.resolve(MASTER)) + "# edited\n");
        String master = fingerprint();
        assertThat(master).as("the master changelog").isNotEqualTo(before);

        write(
                "lbfp/changes/001-orders.yaml",
                Files.readString(root.resolve("lbfp/changes/001-orders.yaml"))
                        .replace("tenant_id text", "tenant_id text NOT NULL"));
        String relativeInclude = fingerprint();
        assertThat(relativeInclude)
                .as("a changelog included relative to the master")
                .isNotEqualTo(master);

        write(
                "lbfp/shared/002-rls.yaml",
                Files.readString(root.resolve("lbfp/shared/002-rls.yaml")).replace("author: a", "author: b"));
        String classpathInclude = fingerprint();
        assertThat(classpathInclude)
                .as("a changelog included from the classpath root")
                .isNotEqualTo(relativeInclude);

        write(
                "lbfp/shared/sql/rls.sql",
                "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;\n" + "ALTER TABLE orders FORCE ROW LEVEL SECURITY;\n");
        String sqlFile = fingerprint();
        assertThat(sqlFile).as("the SQL file of an sqlFile changeset").isNotEqualTo(classpathInclude);

        write(
                "lbfp/more/003-grants.sql",
                Files.readString(root.resolve("lbfp/more/003-grants.sql")).replace("SELECT", "SELECT, INSERT"));
        String includedAll = fingerprint();
        assertThat(includedAll).as("a file of an includeAll folder").isNotEqualTo(sqlFile);

        write(
                "lbfp/more/004-index.sql",
                "--liquibase formatted sql\n--changeset a:004\n" + "CREATE INDEX ON orders (tenant_id);\n");
        String added = fingerprint();
        assertThat(added).as("a file added to an includeAll folder").isNotEqualTo(includedAll);
    }

    @Test
    void filesTheChangelogDoesNotReadAreNotInTheFingerprint() throws Exception {
        String before = fingerprint();
        write("lbfp/changes/unrelated.sql", "-- still included by nothing, but edited\nSELECT 2;\n");
        write("lbfp/README.md", "How we migrate, edited.\n");
        write("lbfp/changes/new-but-not-included.yaml", "databaseChangeLog: []\n");
        assertThat(fingerprint()).isEqualTo(before);
    }

    @Test
    void contextsLabelsAndTheAppRoleAreInTheFingerprint() throws Exception {
        String plain = fingerprint();
        assertThat(fingerprint("production", null, "orders_app")).isNotEqualTo(plain);
        assertThat(fingerprint(null, "!experimental", "orders_app")).isNotEqualTo(plain);
        assertThat(fingerprint(null, null, "billing_app")).isNotEqualTo(plain);
    }

    @Test
    void aChangelogLiquibaseCannotParseHasNoFingerprint() throws Exception {
        write("lbfp/changes/001-orders.yaml", "databaseChangeLog:\n  - changeSet: [not, a, changeset\n");
        assertThat(fingerprint()).isNull();
    }

    /** Hides Flyway's default folder, and offers Spring Boot's default changelog when asked to. */
    static ClassLoader withoutFlywayDefault(boolean withBootChangelog) throws IOException {
        URL somewhere = Files.createTempFile("changelog", ".yaml").toUri().toURL();
        return new ClassLoader(LiquibaseChangelogTests.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals("db/migration") ? Collections.emptyEnumeration() : super.getResources(name);
            }

            @Override
            public URL getResource(String name) {
                if (name.equals("db/changelog/db.changelog-master.yaml")) {
                    return withBootChangelog ? somewhere : null;
                }
                return super.getResource(name);
            }
        };
    }

    @Test
    void neitherFlywayNorLiquibase() throws Exception {
        ProductionProfile profile = ProductionProfile.of(Map.of("postgres.version", "16.4"));
        assertThatThrownBy(
                        () -> withLoader(withoutFlywayDefault(false), () -> MigrationChoice.flywayLocations(profile)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("Neither postgres.migrations (Flyway) nor postgres.changelog (Liquibase) is set in values"
                        + " given in code, and Flyway's default location classpath:db/migration is not on the test"
                        + " classpath.\nFix: declare what production migrates with, e.g."
                        + " postgres.changelog=classpath:db/changelog/db.changelog-master.yaml (Liquibase) or"
                        + " postgres.migrations=classpath:db/migration (Flyway).");
        assertThatThrownBy(() -> withLoader(withoutFlywayDefault(true), () -> MigrationChoice.flywayLocations(profile)))
                .hasMessageContaining("classpath.\nA Liquibase changelog is at"
                        + " classpath:db/changelog/db.changelog-master.yaml. Fix: declare");
        assertThat(MigrationChoice.flywayLocations(profile))
                .as("the default folder is on this classpath")
                .containsExactly("classpath:db/migration");
    }

    @Test
    void liquibaseWarningsReachTheConsoleOnceAndProgressDoesNot() {
        String marker = "prodlike-test-" + UUID.randomUUID();
        liquibase.logging.Logger log = new LiquibaseLog().getLog(LiquibaseChangelogTests.class);
        try (Console.Interception console = Console.intercept(marker)) {
            log.info("Running Changeset: " + marker);
            log.fine("details " + marker);
            log.severe("failed " + marker);
            log.warning("deprecated attribute " + marker);
            log.warning("deprecated attribute " + marker);
            assertThat(console.lines()).containsExactly("WARNING Liquibase: deprecated attribute " + marker);
        }
    }

    @Test
    void liquibaseOutsideTheSupportedRange() {
        assertThat(LiquibaseMigrations.unsupported("4.29.0")).isNull();
        assertThat(LiquibaseMigrations.unsupported("4.33.0")).isNull();
        assertThat(LiquibaseMigrations.unsupported("4.28.0"))
                .isEqualTo("Liquibase 4.28.0 is on the test"
                        + " classpath; prodlike supports Liquibase 4.29 through 4.33 (postgres.changelog).\nFix: use"
                        + " org.liquibase:liquibase-core 4.29.0 or newer, up to 4.33.0.");
        assertThat(LiquibaseMigrations.unsupported("5.0.1"))
                .startsWith("Liquibase 5.0.1 is on the test"
                        + " classpath; prodlike supports Liquibase 4.29 through 4.33 (postgres.changelog).\nLiquibase 5 and"
                        + " newer are not under an open-source licence; Spring Boot 4 manages them. Fix: pin the last"
                        + " open-source line, as production should: <liquibase.version>4.33.0</liquibase.version>");
        assertThat(LiquibaseMigrations.unsupported(liquibase.util.LiquibaseUtil.getBuildVersion()))
                .as("the Liquibase this build runs with")
                .isNull();
    }
}
