package dev.prodlike.postgres.internal.docker;

import dev.prodlike.internal.ProvidedServer;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.prodlike.ProductionProfile;
import dev.prodlike.postgres.internal.PgServer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * PostgreSQL in Docker through Testcontainers: the official {@code postgres:<version>} image, its port published on
 * 127.0.0.1 only. The only class that touches Testcontainers types; loaded only when the docker provider is chosen.
 */
public final class DockerPostgres extends ProvidedServer implements PgServer {

    private final PostgreSQLContainer container;
    private final String version;

    private DockerPostgres(PostgreSQLContainer container, String version, long startMillis,
                           Map<String, String> deliberate) {
        super("docker", true, deliberate, startMillis);
        this.container = container;
        this.version = version;
    }

    /**
     * @param version exact version such as {@code 16.4}
     * @return the image, {@code postgres:<version>}, never {@code latest}
     */
    public static DockerImageName image(String version) {
        return DockerImageName.parse("postgres").withTag(version);
    }

    /**
     * The server command: speed settings first, then what the profile declares (which wins).
     *
     * @param speed    test-only settings
     * @param declared settings of the profile
     * @return {@code postgres -c k=v ...}
     */
    public static List<String> command(Map<String, String> speed, Map<String, String> declared) {
        Map<String, String> all = new LinkedHashMap<>(speed);
        all.putAll(declared);
        List<String> cmd = new ArrayList<>(List.of("postgres"));
        all.forEach((k, v) -> {
            cmd.add("-c");
            cmd.add(k + "=" + v);
        });
        return cmd;
    }

    /**
     * Starts a container.
     *
     * @param profile the effective profile
     * @param speed   test-only settings to apply
     * @return the running server
     */
    public static DockerPostgres start(ProductionProfile profile, Map<String, String> speed) {
        long t0 = System.nanoTime();
        String version = profile.require(ProductionProfile.POSTGRES_VERSION, "16.4");
        Map<String, String> declared = profile.withPrefix(ProductionProfile.POSTGRES_SETTINGS_PREFIX);
        PostgreSQLContainer container = new PostgreSQLContainer(image(version))
                .withUsername("postgres")
                .withPassword(UUID.randomUUID().toString())
                .withDatabaseName("postgres");
        container.setCommand(command(speed, declared).toArray(new String[0]));
        container.withCreateContainerCmdModifier(cmd -> {
            HostConfig host = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
            host.withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(5432)));
            cmd.withHostConfig(host);
        });
        container.start();
        Map<String, String> deliberate = new LinkedHashMap<>();
        speed.forEach((k, v) -> {
            if (!declared.containsKey(k)) {
                deliberate.put(k + "=" + v, "test speed; durability after a crash is irrelevant to tests");
            }
        });
        return new DockerPostgres(container, version, (System.nanoTime() - t0) / 1_000_000, deliberate);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return container.getMappedPort(5432);
    }

    @Override
    public String ownerUser() {
        return container.getUsername();
    }

    @Override
    public String ownerPassword() {
        return container.getPassword();
    }

    @Override
    public String adminDatabase() {
        return "postgres";
    }

    @Override
    public String description() {
        return "docker (image " + container.getDockerImageName() + ")";
    }





    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return description() + " version " + version;
    }
}
