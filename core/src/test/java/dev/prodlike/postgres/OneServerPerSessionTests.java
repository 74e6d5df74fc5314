package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.testing.ProfileOverride;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Surefire runs every test class of a fork as its own launcher execution inside one launcher session. The server
 * must live for the session (the JVM), not for the execution: eight classes executed one by one, as a fork does,
 * start one server, counted in the environment report, and closing the session stops it.
 */
class OneServerPerSessionTests {

    /** Test class name to the server's postmaster start time and port, as each class saw them. */
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    abstract static class Base {
        @Test
        void recordsItsServer(TenantDatabase db) throws SQLException {
            try (Connection c = db.ownerDataSource().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_postmaster_start_time()::text, inet_server_port()")) {
                rs.next();
                SEEN.put(getClass().getSimpleName(), rs.getString(1) + " port " + rs.getInt(2));
            }
        }
    }

    @ProductionLikeDatabase
    static class FirstTestCase extends Base {}

    @ProductionLikeDatabase
    static class SecondTestCase extends Base {}

    @ProductionLikeDatabase
    static class ThirdTestCase extends Base {}

    @ProductionLikeDatabase
    static class FourthTestCase extends Base {}

    @ProductionLikeDatabase
    static class FifthTestCase extends Base {}

    @ProductionLikeDatabase
    static class SixthTestCase extends Base {}

    @ProductionLikeDatabase
    static class SeventhTestCase extends Base {}

    @ProductionLikeDatabase
    static class EighthTestCase extends Base {}

    @Test
    void eightClassesExecutedOneByOneInOneSessionShareOneServer(@TempDir Path reportDir) throws Exception {
        SEEN.clear();
        List<Class<?>> classes = List.of(
                FirstTestCase.class,
                SecondTestCase.class,
                ThirdTestCase.class,
                FourthTestCase.class,
                FifthTestCase.class,
                SixthTestCase.class,
                SeventhTestCase.class,
                EighthTestCase.class);
        String profile = new String(
                        OneServerPerSessionTests.class
                                .getResourceAsStream("/prodlike.properties")
                                .readAllBytes(),
                        StandardCharsets.UTF_8)
                + "\nreport-dir=" + reportDir + "\n";
        ProfileOverride.with(profile, () -> {
            try (LauncherSession session = LauncherFactory.openSession()) {
                for (Class<?> testClass : classes) {
                    SummaryGeneratingListener summary = new SummaryGeneratingListener();
                    session.getLauncher()
                            .execute(
                                    LauncherDiscoveryRequestBuilder.request()
                                            .selectors(selectClass(testClass))
                                            .filters(org.junit.platform.launcher.EngineFilter.includeEngines(
                                                    "junit-jupiter"))
                                            .build(),
                                    summary);
                    assertThat(summary.getSummary().getTestsSucceededCount())
                            .as(testClass.getSimpleName())
                            .isEqualTo(1);
                }
                assertThat(SEEN).hasSize(8);
                Set<String> servers = Set.copyOf(SEEN.values());
                assertThat(servers).as("servers the eight classes saw").hasSize(1);
                String json = Files.readString(reportDir.resolve("environment.json"));
                assertThat(count(json, "\"id\": *\"postgres-"))
                        .as("servers in the environment report")
                        .isEqualTo(1);
            }
            return null;
        });
        int port = Integer.parseInt(SEEN.values().iterator().next().replaceAll(".* port ", ""));
        assertThat(canConnect(port))
                .as("the server is stopped when the session closes")
                .isFalse();
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @SuppressWarnings("try") // opening the connection is the probe
    private static boolean canConnect(int port) {
        try (Connection c =
                DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
