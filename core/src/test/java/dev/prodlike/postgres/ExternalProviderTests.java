package dev.prodlike.postgres;

import dev.prodlike.testing.ProfileOverride;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * provider=external against a real server (one this class gets from the embedded provider, standing in for a
 * team's shared server): prodlike works only in databases it creates and leaves nothing behind.
 */
@ProductionLikeDatabase(isolation = Isolation.PER_CLASS)
@DisabledIfSystemProperty(named = "prodlike.provider", matches = "docker", disabledReason = "about provider=external"
        + " against an embedded server whose owner needs no password; this run forces -Dprodlike.provider=docker")
class ExternalProviderTests {

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @ProductionLikeDatabase(migrations = "classpath:db/ext", appRole = "ext_app")
    static class ExternalTestCase {
        @Test
        void worksAsTheAppRoleInItsOwnDatabase(DataSource app, TenantDatabase db) throws SQLException {
            try (Connection c = app.getConnection(); Statement s = c.createStatement()) {
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

    static String profile(TenantDatabase outer, String version) {
        String port = outer.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1");
        return "postgres.version=" + version + "\nprovider=external\n"
                + "postgres.url=jdbc:postgresql://127.0.0.1:" + port + "/postgres\npostgres.owner-user=postgres\n";
    }

    static List<String> databases(TenantDatabase outer) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = outer.ownerDataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static boolean roleExists(TenantDatabase outer, String role) throws SQLException {
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
    void createsItsOwnDatabasesAndRoleAndDropsThemAfterwards(TenantDatabase outer) throws Exception {
        SEEN.clear();
        List<String> before = databases(outer);
        assertThat(roleExists(outer, "ext_app")).isFalse();

        EngineExecutionResults results = ProfileOverride.with(profile(outer, outer.serverVersion()),
                () -> EngineTestKit.engine("junit-jupiter").selectors(selectClass(ExternalTestCase.class)).execute());

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(SEEN).containsEntry("user", "ext_app").containsEntry("version", outer.serverVersion());
        assertThat(SEEN.get("db")).matches("prodlike_[0-9a-f]{6}_t0_\\d+");
        assertThat(databases(outer)).as("every database it made is gone, nothing else changed")
                .containsExactlyElementsOf(before);
        assertThat(roleExists(outer, "ext_app")).as("the role it created is dropped").isFalse();
    }

    @Test
    void checksTheServerVersionAgainstTheProfile(TenantDatabase outer) throws Exception {
        EngineExecutionResults results = ProfileOverride.with(profile(outer, "16.3"),
                () -> EngineTestKit.engine("junit-jupiter").selectors(selectClass(ExternalTestCase.class)).execute());
        Throwable failure = results.containerEvents().failed().list().get(0).getPayload(TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow();
        String port = outer.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1");
        assertThat(failure).hasMessageStartingWith("Test environment differs from production (prodlike.properties):\n"
                + "  postgres.version   production 16.3   test 16.4   (provider external"
                + " (jdbc:postgresql://127.0.0.1:" + port + "/postgres))");
    }

    @Test
    void dropsDatabasesLeftByACrashedRunOnThisHostOnly(TenantDatabase outer) throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        try (Connection c = outer.ownerDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE prodlike_dead00_t0");
            s.execute("COMMENT ON DATABASE prodlike_dead00_t0 IS 'prodlike run " + host + " 2147483000 1'");
            s.execute("CREATE DATABASE prodlike_other_host");
            s.execute("COMMENT ON DATABASE prodlike_other_host IS 'prodlike run elsewhere 2147483000 1'");
            s.execute("CREATE DATABASE prodlike_users_own");
        }
        EngineExecutionResults results = ProfileOverride.with(profile(outer, outer.serverVersion()),
                () -> EngineTestKit.engine("junit-jupiter").selectors(selectClass(ExternalTestCase.class)).execute());
        results.testEvents().assertStatistics(stats -> stats.succeeded(1));
        assertThat(databases(outer)).doesNotContain("prodlike_dead00_t0")
                .contains("prodlike_other_host", "prodlike_users_own");
    }

    @Test
    void anExistingAppRoleNeedsItsPassword(TenantDatabase outer) throws Exception {
        EngineExecutionResults results = ProfileOverride.with(profile(outer, outer.serverVersion())
                + "postgres.app-role=orders_app\n", () -> EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(NeedsPasswordTestCase.class)).execute());
        Throwable failure = results.containerEvents().failed().list().get(0).getPayload(TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).hasMessageStartingWith("Role 'orders_app' already exists on external (")
                .hasMessageEndingWith("Fix: add postgres.app-password=<password> to prodlike.properties (or"
                        + " -Dprodlike.postgres.app-password=...).");
    }

    @ProductionLikeDatabase(migrations = "classpath:db/ext")
    static class NeedsPasswordTestCase {
        @Test
        void test(DataSource app) {
        }
    }
}
