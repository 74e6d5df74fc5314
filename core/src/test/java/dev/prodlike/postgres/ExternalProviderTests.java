package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.internal.Console;
import dev.prodlike.testing.OwnPostgres;
import dev.prodlike.testing.ProfileOverride;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * provider=external against a real server (an embedded one of this class's own, standing in for a team's shared
 * server): prodlike works only in databases it creates and leaves nothing behind. The server is this class's alone
 * because the tests rewrite its {@code pg_hba.conf}, create roles and compare its whole list of databases, while other
 * classes run concurrently on the session's shared server.
 */
@ExtendWith(OwnPostgres.Extension.class)
@DisabledIfSystemProperty(
        named = "prodlike.provider",
        matches = "docker",
        disabledReason =
                "about provider=external"
                        + " against an embedded server whose owner needs no password; this run forces -Dprodlike.provider=docker")
class ExternalProviderTests {

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @ProductionLikeDatabase(migrations = "classpath:db/ext", appRole = "ext_app")
    static class ExternalTestCase {
        @Test
        void worksAsTheAppRoleInItsOwnDatabase(DataSource app, TenantDatabase db) throws SQLException {
            try (Connection c = app.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO notes (body) VALUES ('hello')");
                try (ResultSet rs = s.executeQuery("SELECT current_user, current_database()")) {
                    rs.next();
                    SEEN.put("user", rs.getString(1));
                    SEEN.put("db", rs.getString(2));
                }
            }
            SEEN.put("version", db.serverVersion());
        }
    }

    static String profile(OwnPostgres outer, String version) {
        String port = outer.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1");
        return "postgres.version=" + version + "\nprovider=external\n" + "postgres.url=jdbc:postgresql://127.0.0.1:"
                + port + "/postgres\npostgres.owner-user=postgres\n";
    }

    static List<String> databases(OwnPostgres outer) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT datname FROM pg_database ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static boolean roleExists(OwnPostgres outer, String role) throws SQLException {
        try (Connection c = outer.ownerDataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    @Test
    void createsItsOwnDatabasesAndRoleAndDropsThemAfterwards(OwnPostgres outer) throws Exception {
        SEEN.clear();
        List<String> before = databases(outer);
        assertThat(roleExists(outer, "ext_app")).isFalse();

        EngineExecutionResults results = ProfileOverride.with(
                profile(outer, outer.serverVersion()),
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(ExternalTestCase.class))
                        .execute());

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(SEEN).containsEntry("user", "ext_app").containsEntry("version", outer.serverVersion());
        // The name carries host, pid and JVM start (base 36) and a nonce: recognisable from the moment it exists.
        assertThat(SEEN.get("db"))
                .matches("prodlike_[0-9a-f]{6}_"
                        + Long.toString(ProcessHandle.current().pid(), 36) + "_[0-9a-z]+_[0-9a-f]{4}_t0_\\d+");
        assertThat(databases(outer))
                .as("every database it made is gone, nothing else changed")
                .containsExactlyElementsOf(before);
        assertThat(roleExists(outer, "ext_app"))
                .as("the role it created is dropped")
                .isFalse();
    }

    @Test
    void checksTheServerVersionAgainstTheProfile(OwnPostgres outer) throws Exception {
        EngineExecutionResults results = ProfileOverride.with(
                profile(outer, "16.3"),
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(ExternalTestCase.class))
                        .execute());
        Throwable failure = results.containerEvents()
                .failed()
                .list()
                .get(0)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
        String port = outer.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1");
        assertThat(failure)
                .hasMessageStartingWith("Test environment differs from production (prodlike.properties):\n"
                        + "  postgres.version   production 16.3   test 16.4   (provider external"
                        + " (jdbc:postgresql://127.0.0.1:" + port + "/postgres))");
    }

    @Test
    void dropsDatabasesLeftByACrashedRunOnThisHostOnly(OwnPostgres outer) throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE prodlike_dead00_t0");
            s.execute("COMMENT ON DATABASE prodlike_dead00_t0 IS 'prodlike run " + host + " 2147483000 1'");
            s.execute("CREATE DATABASE prodlike_other_host");
            s.execute("COMMENT ON DATABASE prodlike_other_host IS 'prodlike run elsewhere 2147483000 1'");
            s.execute("CREATE DATABASE prodlike_users_own");
            // Named by a dead run on this host, without any comment: as a crash right after CREATE DATABASE leaves
            // a template or a clone.
            s.execute("CREATE DATABASE " + deadName(host) + "_t0");
            s.execute("CREATE DATABASE " + deadName(host) + "_t0_3");
            s.execute("CREATE DATABASE " + deadName("another-host") + "_t0");
        }
        String url = "jdbc:postgresql://127.0.0.1:" + outer.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1") + "/postgres";
        try (Console.Interception console =
                Console.intercept("left by earlier runs that did not stop cleanly on" + " external (" + url + ")")) {
            EngineExecutionResults results = ProfileOverride.with(
                    profile(outer, outer.serverVersion()),
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(ExternalTestCase.class))
                            .execute());
            results.testEvents().assertStatistics(stats -> stats.succeeded(1));
            // the three planted here for this host: the server is this class's own
            assertThat(console.lines())
                    .singleElement()
                    .asString()
                    .matches("dropped 3 databases and roles"
                            + " left by earlier runs that did not stop cleanly on external \\("
                            + java.util.regex.Pattern.quote(url) + "\\)");
        }
        assertThat(databases(outer))
                .doesNotContain("prodlike_dead00_t0", deadName(host) + "_t0", deadName(host) + "_t0_3")
                .contains("prodlike_other_host", "prodlike_users_own", deadName("another-host") + "_t0");
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + deadName("another-host") + "_t0");
        }
    }

    /** The name prefix a run of pid 2147483000 (surely gone), started at second 1, uses on {@code host}. */
    static String deadName(String host) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(host.replace(' ', '_').getBytes(StandardCharsets.UTF_8));
        return "prodlike_" + java.util.HexFormat.of().formatHex(digest, 0, 3) + "_" + Long.toString(2147483000L, 36)
                + "_1_dead";
    }

    @Test
    void anExistingAppRoleNeedsItsPassword(OwnPostgres outer) throws Exception {
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE existing_app LOGIN PASSWORD 'the-teams-secret'");
        }
        try {
            EngineExecutionResults results = ProfileOverride.with(
                    profile(outer, outer.serverVersion()) + "postgres.app-role=existing_app\n",
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(NeedsPasswordTestCase.class))
                            .execute());
            results.containerEvents().assertStatistics(s -> s.failed(1));
            Throwable failure = results.containerEvents()
                    .failed()
                    .list()
                    .get(0)
                    .getPayload(TestExecutionResult.class)
                    .orElseThrow()
                    .getThrowable()
                    .orElseThrow();
            assertThat(failure)
                    .hasMessageStartingWith("Role 'existing_app' already exists on external (")
                    .hasMessageEndingWith("Fix: add postgres.app-password=<password> to prodlike.properties (or"
                            + " -Dprodlike.postgres.app-password=...).");
        } finally {
            try (Connection c = outer.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS existing_app");
            }
        }
    }

    /** Run in a child JVM that is killed while this test holds its database. */
    @ProductionLikeDatabase(migrations = "classpath:db/ext", appRole = "crash_app")
    static class KilledWhileHoldingTestCase {
        @Test
        void holds(TenantDatabase db) throws Exception {
            System.out.println("HOLDING " + db.jdbcUrl());
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    @ProductionLikeDatabase(migrations = "classpath:db/ext", appRole = "crash_app")
    static class NextRunTestCase {
        @Test
        void works(DataSource app) throws SQLException {
            try (Connection c = app.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO notes (body) VALUES ('after the crash')");
            }
        }
    }

    @Test
    void aKilledRunLeavesNoDatabaseAndNoRoleAfterTheNextRunAndTheUsersOwnRoleIsUntouched(OwnPostgres outer)
            throws Exception {
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE team_role LOGIN PASSWORD 'team-secret' CONNECTION LIMIT 7");
            s.execute("COMMENT ON ROLE team_role IS 'the team''s own role'");
        }
        List<String> before = prodlikeDatabases(outer);
        Path profileFile = Files.createTempFile("prodlike-killed", ".properties");
        Files.writeString(profileFile, profile(outer, outer.serverVersion()));
        Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(
                        javaBin.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        dev.prodlike.testing.RunUntilKilled.class.getName(),
                        profileFile.toString(),
                        KilledWhileHoldingTestCase.class.getName())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String holding = null;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("HOLDING ")) {
                    holding = line;
                    break;
                }
            }
            assertThat(holding).as("the child run got its database").isNotNull();
            String childPrefix = "prodlike_" + "[0-9a-f]{6}_" + Long.toString(child.pid(), 36) + "_.*";
            assertThat(prodlikeDatabases(outer))
                    .as("the child's template and clones")
                    .filteredOn(n -> n.matches(childPrefix))
                    .hasSizeGreaterThanOrEqualTo(2);
            assertThat(prodlikeRoles(outer)).containsExactly("crash_app");

            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(prodlikeDatabases(outer)).as("left by the killed run").anyMatch(n -> n.matches(childPrefix));

            try (Console.Interception console = Console.intercept("left by earlier runs that did not stop")) {
                EngineExecutionResults results = ProfileOverride.with(
                        profile(outer, outer.serverVersion()),
                        () -> EngineTestKit.engine("junit-jupiter")
                                .selectors(selectClass(NextRunTestCase.class))
                                .execute());

                results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
                assertThat(console.lines())
                        .as("the sweep's line")
                        .singleElement()
                        .asString()
                        .startsWith("dropped ")
                        .contains(" databases and roles left by earlier runs");
            }
            assertThat(prodlikeDatabases(outer))
                    .as("prodlike_* databases after the next run")
                    .containsExactlyInAnyOrderElementsOf(before);
            assertThat(prodlikeRoles(outer)).as("roles prodlike created").isEmpty();
            assertThat(roleExists(outer, "crash_app")).isFalse();
            try (Connection c = outer.ownerDataSource().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT rolconnlimit, shobj_description(oid, 'pg_authid')"
                            + " FROM pg_roles WHERE rolname = 'team_role'")) {
                assertThat(rs.next()).as("the team's role is still there").isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
                assertThat(rs.getString(2)).isEqualTo("the team's own role");
            }
            try (Connection c = DriverManager.getConnection(outer.jdbcUrl(), "team_role", "team-secret")) {
                assertThat(c.isValid(1)).isTrue();
            }
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(profileFile);
            try (Connection c = outer.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS team_role");
            }
        }
    }

    static List<String> prodlikeDatabases(OwnPostgres outer) throws SQLException {
        List<String> names = new ArrayList<>();
        for (String name : databases(outer)) {
            if (name.startsWith("prodlike_")) {
                names.add(name);
            }
        }
        return names;
    }

    /** Roles carrying prodlike's marker comment. */
    static List<String> prodlikeRoles(OwnPostgres outer) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rolname FROM pg_roles"
                        + " WHERE shobj_description(oid, 'pg_authid') LIKE 'prodlike run %' ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    void aWrongAppPasswordIsCheckedOnceUpFront(OwnPostgres outer) throws Exception {
        String hbaFile;
        String original;
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            hbaFile = PostgresEnvironmentQuery.single(s, "SHOW hba_file");
            original = Files.readString(Paths.get(hbaFile));
            s.execute("CREATE ROLE pw_app LOGIN PASSWORD 'the-right-one'");
        }
        try {
            // Passwords are checked for every user but the owner, as on a shared server.
            Files.writeString(
                    Paths.get(hbaFile),
                    "host all postgres 127.0.0.1/32 trust\n" + "host all all 127.0.0.1/32 scram-sha-256\n");
            reload(outer);
            EngineExecutionResults results = ProfileOverride.with(
                    profile(outer, outer.serverVersion())
                            + "postgres.app-role=pw_app\npostgres.app-password=a-wrong-one\n",
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(NeedsPasswordTestCase.class))
                            .execute());
            results.testEvents().assertStatistics(stats -> stats.started(0));
            Throwable failure = results.containerEvents()
                    .failed()
                    .list()
                    .get(0)
                    .getPayload(TestExecutionResult.class)
                    .orElseThrow()
                    .getThrowable()
                    .orElseThrow();
            String port = outer.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1");
            assertThat(failure)
                    .hasMessage("The app role 'pw_app' exists on external (jdbc:postgresql://127.0.0.1:"
                            + port + "/postgres) but refuses the configured postgres.app-password: FATAL: password"
                            + " authentication failed for user \"pw_app\"\nFix: set postgres.app-password=<the role's"
                            + " password> in prodlike.properties (or -Dprodlike.postgres.app-password=...), or ALTER ROLE"
                            + " pw_app PASSWORD '<password>' on the server.");
        } finally {
            Files.writeString(Paths.get(hbaFile), original);
            reload(outer);
            try (Connection c = outer.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS pw_app");
            }
        }
    }

    private static void reload(OwnPostgres outer) throws SQLException {
        try (Connection c = outer.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
    }

    /** One-value queries. */
    static final class PostgresEnvironmentQuery {
        static String single(Statement s, String sql) throws SQLException {
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @ProductionLikeDatabase(migrations = "classpath:db/ext")
    static class NeedsPasswordTestCase {
        @Test
        void test(DataSource app) {}
    }
}
