package dev.prodlike.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.ProductionProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server is ready when its own {@code postmaster.pid} says so for its port: no connection to the port
 * is made before the server has bound it (the port may meanwhile belong to another test's proxy, which a probe would
 * reach and, through it, another server's answer).
 */
class EmbeddedPostgresReadinessTests {

    private static EmbeddedPostgres server;
    private static Path pidFile;

    @BeforeAll
    static void start() {
        server = EmbeddedPostgres.start(ProductionProfile.of(Map.of("postgres.version", "16.4")), null);
        pidFile = server.log().getParent().resolve("data").resolve("postmaster.pid");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aStartedServersPidFileSaysReadyForItsPort() {
        assertThat(PostmasterPid.readiness(pidFile, server.port())).isNull();
    }

    @Test
    void aPidFileForAnotherPortIsNotReadiness() {
        assertThat(PostmasterPid.readiness(pidFile, server.port() + 1))
                .isEqualTo("postmaster.pid names port " + server.port());
    }

    @Test
    void aServerStillStartingIsNotReady(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(pidFile, StandardCharsets.UTF_8));
        lines.set(7, "starting");
        Path starting = Files.write(dir.resolve("postmaster.pid"), lines, StandardCharsets.UTF_8);
        assertThat(PostmasterPid.readiness(starting, server.port())).isEqualTo("status starting");
        Path early = Files.write(dir.resolve("early.pid"), lines.subList(0, 6), StandardCharsets.UTF_8);
        assertThat(PostmasterPid.readiness(early, server.port())).isEqualTo("postmaster.pid has 6 lines");
    }

    @Test
    void noPidFileIsNotReady(@TempDir Path dir) {
        assertThat(PostmasterPid.readiness(dir.resolve("postmaster.pid"), server.port()))
                .isEqualTo("no postmaster.pid yet");
    }
}
