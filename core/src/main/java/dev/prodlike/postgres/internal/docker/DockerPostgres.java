package dev.prodlike.postgres.internal.docker;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Console;
import dev.prodlike.internal.Docker;
import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.internal.SupportedLibrary;
import dev.prodlike.postgres.internal.ClusterSnapshots;
import dev.prodlike.postgres.internal.PgServer;
import dev.prodlike.postgres.internal.TemplateMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * PostgreSQL in Docker through Testcontainers: the official {@code postgres:<version>} image, its port published on
 * 127.0.0.1 only when the engine is local (on a remote engine, on its interfaces, reached at the host Testcontainers
 * reports). Every role connects with a password, as the image requires for connections through the bridge. With
 * {@code docker.reuse=true} the container is Testcontainers-reusable and keyed by version, settings and the
 * migrations' fingerprint, so the next run skips the container start and the migrations. Without reuse, the cluster
 * of the first migrated template is kept as a local image ({@link ContainerClusters}) and the next run's container
 * starts from it: no initdb, no migrations, clones ready for the first tests. The only class that touches
 * Testcontainers types; loaded only when the docker provider is chosen.
 *
 * <p>A {@code GenericContainer}, not Testcontainers' PostgreSQL module: that class moved between Testcontainers 1.x
 * ({@code org.testcontainers.containers.PostgreSQLContainer}, artifact {@code postgresql}) and 2.x
 * ({@code org.testcontainers.postgresql.PostgreSQLContainer}, artifact {@code testcontainers-postgresql}), while
 * everything used here is the same in both, so one build works with the Testcontainers any Boot 3.3-4.1 BOM brings.
 */
public final class DockerPostgres extends ProvidedServer implements PgServer, ClusterSnapshots {

    private static final String OWNER = "postgres";
    private final GenericContainer<?> container;
    private final String ownerPassword;
    private final String version;
    private final String host;
    private final boolean reuse;
    private final String configuredAppPassword;
    private final Map<String, Object> phases;
    /** Where its migrated cluster is cached; null with reuse (the container itself is kept) or without migrations. */
    private ContainerClusters clusters;
    /** The kept cluster it started from, or null. */
    private ContainerClusters.Entry startedFrom;
    /** Where its cluster lies in the container, or null for where the image puts it. */
    private String dataDirectory;
    /** Whether the container has a tmpfs for clones ({@link MemoryClones}). */
    private boolean clonesInMemory;
    /** The tablespace made there, once asked for. */
    private Optional<String> cloneTablespace;

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
        ContainerClusters clusters = null;
        ContainerClusters.Entry cached = null;
        String dataDirectory = null;
        if (!reuse && fingerprint != null && ContainerClusters.namesSurviveSubstitution()) {
            InspectImageResponse base = localImage(version);
            dataDirectory = base == null ? null : dataDirectory(volumes(base));
            if (dataDirectory != null) {
                clusters = new ContainerClusters(
                        DockerClientFactory.instance().client(),
                        hash(base.getId() + "|" + command + "|" + dataDirectory).substring(0, 16));
                cached = clusters.find(fingerprint);
            }
        }
        String ownerPassword = reuse
                ? hash("owner|" + key).substring(0, 32)
                : cached != null ? cached.ownerPassword() : UUID.randomUUID().toString();
        String clonesOwner = cached != null
                        && MemoryClones.possible(cached.dataOwner(), engineMemory())
                        && Boolean.parseBoolean(profile.get(ProductionProfile.DOCKER_CLONES_IN_MEMORY, "true"))
                ? cached.dataOwner()
                : null;
        GenericContainer<?> container = container(
                cached != null ? cached.image() : null,
                version,
                ownerPassword,
                command,
                local,
                dataDirectory,
                clonesOwner);
        if (clusters != null) {
            try {
                container.start();
            } catch (RuntimeException e) {
                container.stop();
                if (cached != null) {
                    clusters.discard(fingerprint, "its container did not start: " + Docker.rootCause(e));
                    cached = null;
                } else {
                    Console.line("postgres:" + version + " did not start with its data directory at " + dataDirectory
                            + " (" + Docker.rootCause(e) + "); starting it as it is, without keeping its migrated"
                            + " cluster for later runs");
                    clusters = null;
                    dataDirectory = null;
                }
                ownerPassword = UUID.randomUUID().toString();
                clonesOwner = null;
                container = container(null, version, ownerPassword, command, local, dataDirectory, null);
            }
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
        if (!container.isRunning()) {
            container.start();
        }
        Map<String, String> deliberate = new LinkedHashMap<>();
        speed.forEach((k, v) -> {
            if (!declared.containsKey(k)) {
                deliberate.put(k + "=" + v, "test speed; durability after a crash is irrelevant to tests");
            }
        });
        if (clonesOwner != null) {
            deliberate.put(MemoryClones.DELIBERATE, MemoryClones.WHY);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Object> phases = new LinkedHashMap<>();
        phases.put("containerStartMs", ms);
        phases.put("containerReused", reused);
        if (clusters != null) {
            phases.put("startedFrom", cached != null ? "kept migrated cluster" : "initdb (no kept cluster yet)");
        }
        phases.put("portPublishing", publishing(local));
        DockerPostgres server = new DockerPostgres(
                container,
                ownerPassword,
                version,
                ms,
                deliberate,
                local ? "127.0.0.1" : container.getHost(),
                reuse,
                profile.get(ProductionProfile.POSTGRES_APP_PASSWORD).orElse(null),
                phases);
        server.clusters = clusters;
        server.startedFrom = cached;
        server.dataDirectory = dataDirectory;
        server.clonesInMemory = clonesOwner != null;
        return server;
    }

    /**
     * What the official image needs, and the readiness its entrypoint signals: the server logs 'ready' once for the
     * initialisation run and once for the real start; once when it starts from a kept cluster (no initialisation).
     *
     * @param kept          the local image of a kept migrated cluster to start from, or null for
     *                      {@code postgres:<version>}
     * @param dataDirectory where the cluster goes in the container, or null for where the image puts it
     * @param clonesOwner   {@code uid:gid} of the kept cluster's files, when its clones go into memory
     *                      ({@link MemoryClones}); null otherwise
     */
    private static GenericContainer<?> container(
            String kept,
            String version,
            String ownerPassword,
            List<String> command,
            boolean local,
            String dataDirectory,
            String clonesOwner) {
        boolean migrated = kept != null;
        GenericContainer<?> container =
                new GenericContainer<>(kept != null ? DockerImageName.parse(kept) : image(version));
        container
                .withEnv("POSTGRES_USER", OWNER)
                .withEnv("POSTGRES_PASSWORD", ownerPassword)
                .withEnv("POSTGRES_DB", "postgres")
                .withExposedPorts(5432)
                .waitingFor(
                        Wait.forLogMessage(".*database system is ready to accept connections.*\\s", migrated ? 1 : 2)
                                .withStartupTimeout(Duration.ofSeconds(120)));
        if (dataDirectory != null) {
            container.withEnv("PGDATA", dataDirectory);
        }
        container.setCommand(command.toArray(new String[0]));
        if (clonesOwner != null) {
            container.withTmpFs(MemoryClones.tmpfs(clonesOwner));
        }
        if (local) {
            container.withCreateContainerCmdModifier(cmd -> {
                HostConfig host = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
                host.withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(5432)));
                cmd.withHostConfig(host);
            });
        }
        return container;
    }

    /**
     * @return the local image the container runs (after Testcontainers' image name substitution, as it starts it), or
     *     null when it is not here yet (Testcontainers pulls it; nothing is kept then)
     */
    private static InspectImageResponse localImage(String version) {
        try {
            return DockerClientFactory.instance()
                    .client()
                    .inspectImageCmd(ImageNameSubstitutor.instance()
                            .apply(image(version))
                            .asCanonicalNameString())
                    .exec();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** @return the engine's memory in bytes, or null when it does not say */
    private static Long engineMemory() {
        try {
            return DockerClientFactory.instance().getInfo().getMemTotal();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Where a cluster is put so that a commit of its container holds it. */
    static final List<String> DATA_DIRECTORIES =
            List.of("/var/lib/postgresql/prodlike", "/var/lib/prodlike-postgresql");

    private static Set<String> volumes(InspectImageResponse image) {
        Map<String, ?> volumes =
                image.getConfig() == null ? null : image.getConfig().getVolumes();
        return volumes == null ? Set.of() : volumes.keySet();
    }

    /**
     * @param volumes the volumes the image declares
     * @return the first of {@link #DATA_DIRECTORIES} outside them all (a commit leaves volumes out; the official
     *     images declare {@code /var/lib/postgresql/data}, from version 18 {@code /var/lib/postgresql}), or null
     */
    public static String dataDirectory(Set<String> volumes) {
        for (String candidate : DATA_DIRECTORIES) {
            boolean inVolume = volumes.stream()
                    .map(v -> v.endsWith("/") ? v.substring(0, v.length() - 1) : v)
                    .anyMatch(v -> candidate.equals(v) || candidate.startsWith(v + "/"));
            if (!inVolume) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public Optional<ClusterSnapshots> clusterSnapshots() {
        return clusters == null ? Optional.empty() : Optional.of(this);
    }

    @Override
    public boolean startedFrom(String fingerprint) {
        return startedFrom != null && startedFrom.key().equals(fingerprint);
    }

    @Override
    public TemplateMetadata seedMetadata(String fingerprint) {
        return startedFrom.metadata();
    }

    /**
     * Clones in the kept image cost nothing at a start (the engine copies nothing), while making one in a container
     * takes 100-200 ms: as many as 4 threads take at once. Each costs the run that keeps the image ~0.15 s and the
     * image ~8 MB. None when prefetch is off.
     */
    @Override
    public int clonesToSeed(int prefetch) {
        return prefetch == 0 ? 0 : SEEDED_CLONES;
    }

    /** Clones a kept image holds. */
    static final int SEEDED_CLONES = 4;

    /**
     * Keeps this container's cluster, just migrated, as a local image for later runs (about 1 s, once per image,
     * settings and migrations).
     */
    @Override
    public void snapshot(String fingerprint, TemplateMetadata metadata) {
        if (clusters == null) {
            return;
        }
        try (Connection c = ownerConnection(adminDatabase())) {
            clusters.save(container.getContainerId(), dataDirectory, c, fingerprint, metadata, ownerPassword);
        } catch (Exception e) {
            Console.warning("could not keep the migrated cluster of " + description()
                    + " (the next run starts the container and migrates again): " + Docker.rootCause(e));
        }
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
    public boolean offersCloneTablespace() {
        return clonesInMemory;
    }

    @Override
    public synchronized Optional<String> cloneTablespace() {
        if (cloneTablespace == null) {
            cloneTablespace = clonesInMemory ? MemoryClones.create(this) : Optional.empty();
        }
        return cloneTablespace;
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
        return "docker (image " + image(version).asCanonicalNameString()
                + (reuse ? ", reusable container" : startedFrom != null ? ", from its kept migrated cluster" : "")
                + ")";
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
