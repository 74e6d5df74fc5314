package dev.prodlike.postgres.internal.docker;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Docker;
import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.internal.SupportedLibrary;
import dev.prodlike.postgres.internal.PgServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * PostgreSQL in Docker through Testcontainers: the official {@code postgres:<version>} image, its port published on
 * 127.0.0.1 only when the engine is local (on a remote engine, on its interfaces, reached at the host Testcontainers
 * reports). Every role connects with a password, as the image requires for connections through the bridge. With
 * {@code docker.reuse=true} the container is Testcontainers-reusable and keyed by version, settings and the
 * migrations' fingerprint, so the next run skips the container start and the migrations. The only class that touches Testcontainers types; loaded only when the docker provider is chosen.
 *
 * <p>A {@code GenericContainer}, not Testcontainers' PostgreSQL module: that class moved between Testcontainers 1.x
 * ({@code org.testcontainers.containers.PostgreSQLContainer}, artifact {@code postgresql}) and 2.x
 * ({@code org.testcontainers.postgresql.PostgreSQLContainer}, artifact {@code testcontainers-postgresql}), while
 * everything used here is the same in both, so one build works with the Testcontainers any Boot 3.3-4.1 BOM brings.
 */
public final class DockerPostgres extends ProvidedServer implements PgServer {

    private static final String OWNER = "postgres";
    private final GenericContainer<?> container;
    private final String ownerPassword;
    private final String version;
    private final String host;
    private final boolean reuse;
    private final String configuredAppPassword;
    private final Map<String, Object> phases;

    private DockerPostgres(
            GenericContainer<?> container,
            String ownerPassword,
            String version,
            long startMillis,
            Map<String, String> deliberate,
            String host,
            boolean reuse,
            String configuredAppPassword,
            Map<String, Object> phases) {
        super("docker", true, deliberate, startMillis);
        this.container = container;
        this.ownerPassword = ownerPassword;
        this.version = version;
        this.host = host;
        this.reuse = reuse;
        this.configuredAppPassword = configuredAppPassword;
        this.phases = phases;
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

    /** Label that keys a reusable container: version, server command and the migrations' fingerprint. */
    public static final String REUSE_LABEL = "dev.prodlike.reuse-key";

    /**
     * Starts a container, or finds the reusable one an earlier run left (docker.reuse=true).
     *
     * @param profile     the effective profile
     * @param speed       test-only settings to apply
     * @param fingerprint the migrations' fingerprint (keys a reusable container), or null
     * @return the running server
     */
    public static DockerPostgres start(ProductionProfile profile, Map<String, String> speed, String fingerprint) {
        long t0 = System.nanoTime();
        String version = profile.require(ProductionProfile.POSTGRES_VERSION, "16.4");
        Map<String, String> declared = profile.withPrefix(ProductionProfile.POSTGRES_SETTINGS_PREFIX);
        List<String> command = command(speed, declared);
        boolean local = Docker.status().local();
        boolean reuse = reuseRequested(profile);
        String key =
                hash("prodlike|" + version + "|" + command + "|" + fingerprint).substring(0, 24);
        SupportedLibrary.TESTCONTAINERS.check(DockerClientFactory.class);
        String ownerPassword = reuse
                ? hash("owner|" + key).substring(0, 32)
                : UUID.randomUUID().toString();
        // What the official image needs, and the readiness its entrypoint signals: the server logs 'ready' once for
        // the initialisation run and once for the real start.
        GenericContainer<?> container = new GenericContainer<>(image(version))
                .withEnv("POSTGRES_USER", OWNER)
                .withEnv("POSTGRES_PASSWORD", ownerPassword)
                .withEnv("POSTGRES_DB", "postgres")
                .withExposedPorts(5432)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 2)
                        .withStartupTimeout(Duration.ofSeconds(120)));
        container.setCommand(command.toArray(new String[0]));
        if (local) {
            container.withCreateContainerCmdModifier(cmd -> {
                HostConfig host = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
                host.withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(5432)));
                cmd.withHostConfig(host);
            });
        }
        boolean reused = false;
        if (reuse) {
            container.withLabel(REUSE_LABEL, key).withReuse(true);
            reused = !DockerClientFactory.instance()
                    .client()
                    .listContainersCmd()
                    .withLabelFilter(Map.of(REUSE_LABEL, key))
                    .exec()
                    .isEmpty();
        }
        container.start();
        Map<String, String> deliberate = new LinkedHashMap<>();
        speed.forEach((k, v) -> {
            if (!declared.containsKey(k)) {
                deliberate.put(k + "=" + v, "test speed; durability after a crash is irrelevant to tests");
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Object> phases = new LinkedHashMap<>();
        phases.put("containerStartMs", ms);
        phases.put("containerReused", reused);
        phases.put("portPublishing", publishing(local));
        return new DockerPostgres(
                container,
                ownerPassword,
                version,
                ms,
                deliberate,
                local ? "127.0.0.1" : container.getHost(),
                reuse,
                profile.get(ProductionProfile.POSTGRES_APP_PASSWORD).orElse(null),
                phases);
    }

    /**
     * @param local whether the engine runs on this machine
     * @return how ports are published: on 127.0.0.1 for a local engine, on the engine's interfaces for a remote one
     */
    public static String publishing(boolean local) {
        return local
                ? "127.0.0.1 only (local engine)"
                : "all interfaces of the remote engine, reached at the host Testcontainers reports";
    }

    private static boolean reuseRequested(ProductionProfile profile) {
        if (!Boolean.parseBoolean(profile.get(ProductionProfile.DOCKER_REUSE, "false"))) {
            return false;
        }
        if (!TestcontainersConfiguration.getInstance().environmentSupportsReuse()) {
            if (REUSE_TOLD.compareAndSet(false, true)) {
                System.out.println("prodlike: docker.reuse=true, but Testcontainers' reuse is not enabled here, so"
                        + " this run's container is removed at the end. Fix: add testcontainers.reuse.enable=true"
                        + " to ~/.testcontainers.properties (or set TESTCONTAINERS_REUSE_ENABLE=true).");
            }
            return false;
        }
        return true;
    }

    private static final AtomicBoolean REUSE_TOLD = new AtomicBoolean();

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : d) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return container.getMappedPort(5432);
    }

    @Override
    public boolean outlivesRun() {
        return reuse;
    }

    @Override
    public boolean keepsTemplates() {
        return reuse;
    }

    @Override
    public String appPassword(String role) {
        // The official image checks passwords for every connection through the bridge (scram-sha-256).
        return configuredAppPassword != null
                ? configuredAppPassword
                : hash("app|" + role + "|" + ownerPassword).substring(0, 32);
    }

    @Override
    public Map<String, Object> startPhases() {
        return phases;
    }

    @Override
    public String ownerUser() {
        return OWNER;
    }

    @Override
    public String ownerPassword() {
        return ownerPassword;
    }

    @Override
    public String adminDatabase() {
        return "postgres";
    }

    @Override
    public String description() {
        return "docker (image " + container.getDockerImageName() + (reuse ? ", reusable container" : "") + ")";
    }

    @Override
    public void close() {
        if (!reuse) {
            container.stop();
        }
    }

    @Override
    public String toString() {
        return description() + " version " + version;
    }
}
