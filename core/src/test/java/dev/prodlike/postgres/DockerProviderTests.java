package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import dev.prodlike.internal.Docker;
import dev.prodlike.postgres.internal.PgSettings;
import dev.prodlike.postgres.internal.docker.DockerPostgres;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.PublishedPorts;
import dev.prodlike.testing.TestKitEvents;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The docker provider: what can be checked without an engine always runs; the end-to-end run needs Docker and is
 * reported as skipped, with the reason, where there is none.
 */
class DockerProviderTests {

    @Test
    void imageIsTheOfficialOneOfExactlyTheDeclaredVersion() {
        assertThat(DockerPostgres.image("16.4").asCanonicalNameString()).isEqualTo("postgres:16.4");
        assertThat(DockerPostgres.image("17.2").getVersionPart()).isEqualTo("17.2");
    }

    @Test
    void commandAppliesSpeedSettingsThenTheProfilesWhichWin() {
        Map<String, String> speed = new LinkedHashMap<>();
        speed.put("fsync", "off");
        speed.put("synchronous_commit", "off");
        Map<String, String> declared = new LinkedHashMap<>();
        declared.put("timezone", "UTC");
        declared.put("synchronous_commit", "on");
        assertThat(DockerPostgres.command(speed, declared))
                .containsExactly("postgres", "-c", "fsync=off", "-c", "synchronous_commit=on", "-c", "timezone=UTC");
    }

    @Test
    void aKeptClustersDataDirectoryLiesOutsideTheImagesVolumes() {
        // the stand-in images declare none; the official ones up to 17 one, from 18 its parent
        assertThat(DockerPostgres.dataDirectory(Set.of())).isEqualTo("/var/lib/postgresql/prodlike");
        assertThat(DockerPostgres.dataDirectory(Set.of("/var/lib/postgresql/data")))
                .isEqualTo("/var/lib/postgresql/prodlike");
        assertThat(DockerPostgres.dataDirectory(Set.of("/var/lib/postgresql/")))
                .isEqualTo("/var/lib/prodlike-postgresql");
        assertThat(DockerPostgres.dataDirectory(Set.of("/var/lib"))).isNull();
    }

    @Test
    void autoPicksDockerOnlyWhenAnEngineAnswersElseEmbedded() {
        PgSettings settings =
                PgSettings.from(ProductionProfile.of(Map.of("postgres.version", "16.4", "provider", "auto")));
        if (Docker.status().available()) {
            assertThat(settings.provider()).isEqualTo(Provider.DOCKER);
        } else {
            assertThat(settings.provider()).isEqualTo(Provider.EMBEDDED);
            assertThat(settings.providerWhy())
                    .startsWith("provider=auto: no Docker (")
                    .endsWith("), so embedded")
                    .contains(Docker.status().reason());
        }
    }

    @Test
    void explicitProvidersAreTakenAsGiven() {
        assertThat(PgSettings.from(ProductionProfile.of(Map.of("postgres.version", "16.4", "provider", "embedded")))
                        .provider())
                .isEqualTo(Provider.EMBEDDED);
        assertThat(PgSettings.from(ProductionProfile.of(Map.of("postgres.version", "16.4", "provider", "external")))
                        .provider())
                .isEqualTo(Provider.EXTERNAL);
    }

    @Test
    void dockerDetectionIsAskedOnceAndExplainsItself() {
        assertThat(Docker.status()).isSameAs(Docker.status());
        assertThat(Docker.status().reason()).isNotBlank();
        assertThat(Docker.testcontainersPresent())
                .as("optional dependency on this module's test classpath")
                .isTrue();
    }

    @Test
    void portsAreBoundToLoopbackOnlyWhenTheEngineIsLocal() {
        assertThat(Docker.isLocalEngine(null)).isTrue();
        assertThat(Docker.isLocalEngine(URI.create("unix:///var/run/docker.sock")))
                .isTrue();
        assertThat(Docker.isLocalEngine(URI.create("npipe:////./pipe/docker_engine")))
                .isTrue();
        assertThat(Docker.isLocalEngine(URI.create("tcp://localhost:2375"))).isTrue();
        assertThat(Docker.isLocalEngine(URI.create("tcp://127.0.0.1:2376"))).isTrue();
        assertThat(Docker.isLocalEngine(URI.create("tcp://10.0.0.5:2376"))).isFalse();
        assertThat(Docker.isLocalEngine(URI.create("tcp://docker.internal.example:2376")))
                .isFalse();
        assertThat(DockerPostgres.publishing(true)).isEqualTo("127.0.0.1 only (local engine)");
        assertThat(DockerPostgres.publishing(false))
                .isEqualTo("all interfaces of the remote engine, reached at the host Testcontainers reports");
    }

    @Test
    void detectionFailuresShowTheirRealCause() {
        Throwable jackson = new java.lang.reflect.InvocationTargetException(
                new ExceptionInInitializerError(new NoSuchFieldError("READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE")));
        assertThat(Docker.rootCause(jackson))
                .isEqualTo("java.lang.NoSuchFieldError: READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE");
        Throwable refused = new IllegalStateException(
                "Could not find a valid Docker environment", new java.io.IOException("Connection refused"));
        assertThat(Docker.rootCause(refused))
                .isEqualTo("java.lang.IllegalStateException: Could not find a valid"
                        + " Docker environment (caused by java.io.IOException: Connection refused)");
    }

    // ---------------------------------------------------------------------------------------------------------

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final List<PublishedPorts.Binding> BINDINGS = new CopyOnWriteArrayList<>();

    @ProductionLikeDatabase(provider = Provider.DOCKER)
    static class DockerTestCase {
        @Test
        void runsInAContainer(DataSource app, TenantDatabase db) throws Exception {
            try (Connection c = app.getConnection();
                    ResultSet rs = c.createStatement().executeQuery("SELECT current_user, inet_server_port()")) {
                rs.next();
                SEEN.put("user", rs.getString(1));
            }
            SEEN.put("version", db.serverVersion());
            SEEN.put("url", db.jdbcUrl());
            // Read while the container runs: the test kit's root store removes it when the fixture ends.
            // jdbcUrl() names the test's network proxy; the container publishes the port the proxy forwards to.
            BINDINGS.addAll(PublishedPorts.ofContainerPublishing(
                    db.faults().network().target().getPort()));
        }
    }

    @Test
    @ExtendWith(RequiresDocker.class)
    void endToEndWithTestcontainers() throws Exception {
        SEEN.clear();
        BINDINGS.clear();
        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\npostgres.app-role=orders_app\n"
                        + "postgres.tenant-setting=app.current_tenant\npostgres.settings.timezone=UTC\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(DockerTestCase.class))
                        .execute());
        TestKitEvents.assertAllSucceeded(results, 1);
        assertThat(SEEN).containsEntry("user", "orders_app").containsEntry("version", "16.4");
        assertThat(SEEN.get("url")).startsWith("jdbc:postgresql://127.0.0.1:");
        assertPublishedOnLoopbackOnly(BINDINGS);
    }

    /**
     * A local engine's container is published on 127.0.0.1 and nowhere else, as the engine reports it: what the
     * container was created with (HostConfig) and what the engine bound (NetworkSettings).
     *
     * @param bindings the container's bindings, read from the engine while it ran
     */
    static void assertPublishedOnLoopbackOnly(List<PublishedPorts.Binding> bindings) {
        assertThat(Docker.status().local())
                .as(
                        "these tests run against a local engine (%s)",
                        Docker.status().reason())
                .isTrue();
        assertThat(bindings)
                .as("the container's port bindings, read from the engine")
                .extracting(PublishedPorts.Binding::source)
                .contains("HostConfig", "NetworkSettings");
        assertThat(bindings).allSatisfy(b -> assertThat(b.hostIp()).as("%s", b).isEqualTo("127.0.0.1"));
    }

    @Test
    @ExtendWith(RequiresDocker.class)
    void theContainersStartPhasesReachTheReport(@TempDir Path reports) throws Exception {
        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\npostgres.app-role=orders_app\n"
                        + "postgres.tenant-setting=app.current_tenant\nreport-dir="
                        + reports.toString().replace("\\", "/") + "\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(DockerTestCase.class))
                        .execute());
        TestKitEvents.assertAllSucceeded(results, 1);
        String report = Files.readString(reports.resolve("environment.json"));
        assertThat(report).contains("\"containerStartMs\"", "\"containerReused\"", "\"portPublishing\"");
    }

    /** Runs a test only where Docker answers; elsewhere it is skipped with the reason. */
    static final class RequiresDocker implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Docker.Status status = Docker.status();
            return status.available()
                    ? ConditionEvaluationResult.enabled("Docker available")
                    : ConditionEvaluationResult.disabled("needs a Docker engine: " + status.reason());
        }
    }
}
