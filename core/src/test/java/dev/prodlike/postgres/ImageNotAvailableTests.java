package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.internal.Docker;
import dev.prodlike.internal.docker.DockerEngine;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * An engine that answers but cannot have the image (an offline laptop, an air-gapped CI; here: the stand-in engine,
 * which has postgres:16.4 only and reaches no registry). {@code auto} falls back to embedded at once and says why;
 * {@code docker} fails once, fast, naming the image, what was tried and the fix. Run with Ryuk enabled (CI does, as a
 * second run) the missing image is Ryuk's own, and the same holds.
 */
@ExtendWith(DockerProviderTests.RequiresDocker.class)
@DisabledIfSystemProperty(named = "prodlike.provider", matches = ".+", disabledReason = "sets the provider itself")
class ImageNotAvailableTests {

    /** A version with zonky binaries but no image on the stand-in engine. */
    static final String ABSENT = "14.13";

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @ProductionLikeDatabase
    static class VersionTestCase {
        @Test
        void version(DataSource app) throws Exception {
            try (Connection c = app.getConnection();
                    ResultSet rs = c.createStatement().executeQuery("SHOW server_version")) {
                rs.next();
                SEEN.put("version", rs.getString(1));
            }
        }
    }

    @org.junit.jupiter.api.BeforeAll
    static void onlyWhereTheImageCannotBeHad() {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                Docker.image("postgres:" + ABSENT, Docker.DEFAULT_PULL_TIMEOUT).available(),
                "this engine has or can pull postgres:" + ABSENT
                        + " (and Ryuk's image); the test needs one that cannot");
    }

    static EngineExecutionResults run(String provider) throws Exception {
        return ProfileOverride.with(
                "postgres.version=" + ABSENT + "\npostgres.app-role=orders_app\n"
                        + "postgres.tenant-setting=app.current_tenant\nprovider=" + provider + "\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(VersionTestCase.class))
                        .execute());
    }

    @Test
    void autoFallsBackToEmbeddedAtOnceAndSaysWhy() throws Exception {
        SEEN.clear();
        TestKitEvents.assertAllSucceeded(run("auto"), 1);
        assertThat(SEEN.get("version")).startsWith(ABSENT);
        String missing = DockerEngine.ryukEnabled() ? DockerEngine.ryukImage() : "postgres:" + ABSENT;
        String report =
                java.nio.file.Files.readString(java.nio.file.Paths.get("target", "prodlike", "environment.json"));
        assertThat(report)
                .contains("provider=auto: a Docker engine answers, but ")
                .contains("image " + missing + " is not present on the Docker engine and pulling it failed");
        assertThat(DockerEngine.pullAttempts(missing))
                .as("pulls of %s started by this JVM", missing)
                .isEqualTo(1);
    }

    @Test
    void dockerFailsOnceFastNamingTheImageWhatWasTriedAndTheFix() throws Exception {
        String missing = DockerEngine.ryukEnabled() ? DockerEngine.ryukImage() : "postgres:" + ABSENT;
        Throwable failure = classFailure(run("docker"));
        assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith(
                        "provider=docker was asked for (prodlike.properties), but Docker cannot be used for"
                                + " PostgreSQL " + ABSENT + ": ")
                .hasMessageContaining(
                        "image " + missing + " is not present on the Docker engine and pulling it" + " failed after ")
                .hasMessageContaining("\nTried: the engine Testcontainers found (")
                .hasMessageContaining("Fix: pull it where a registry is reachable (docker pull " + missing + ")")
                .hasMessageEndingWith("or use provider=embedded, which needs nothing but the JDK and Maven.");
        if (DockerEngine.ryukEnabled()) {
            assertThat(failure).hasMessageContaining("or run without Ryuk (TESTCONTAINERS_RYUK_DISABLED=true)");
        }
        // Asked once per JVM: a later class (here a second run) gets the same answer without pulling again.
        assertThat(classFailure(run("docker"))).hasMessage(failure.getMessage());
        assertThat(DockerEngine.pullAttempts(missing))
                .as("pulls of %s started by this JVM", missing)
                .isEqualTo(1);
    }

    /** The one failure of a run whose class failed before any test started (reported once, on the class). */
    static Throwable classFailure(EngineExecutionResults results) {
        results.testEvents().assertStatistics(s -> s.started(0));
        results.containerEvents().assertStatistics(s -> s.failed(1));
        return results.containerEvents()
                .failed()
                .list()
                .get(0)
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
    }
}
