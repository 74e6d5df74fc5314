package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Cache;
import dev.prodlike.internal.Console;
import dev.prodlike.internal.OsUser;
import dev.prodlike.internal.Ports;
import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.internal.RunDirectories;
import dev.prodlike.internal.SupervisedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * PostgreSQL from the zonky binaries of exactly the declared version, run as a local process on 127.0.0.1.
 *
 * <p>The first run of a version unpacks the binaries and runs initdb once into the cache (a "pristine cluster");
 * later runs copy that cluster and start it, skipping initdb. When the JVM runs as root the server runs as an
 * unprivileged OS user.
 */
public final class EmbeddedPostgres extends ProvidedServer implements PgServer, ClusterSnapshots {

    /** Test-only settings: durability off. They change crash safety, never query results. */
    static final Map<String, String> SPEED_SETTINGS = new LinkedHashMap<>();

    static {
        SPEED_SETTINGS.put("fsync", "off");
        SPEED_SETTINGS.put("synchronous_commit", "off");
        SPEED_SETTINGS.put("full_page_writes", "off");
    }

    /** Small WAL: the cached cluster copies in half the time; WAL sizing never changes query results. */
    static final Map<String, String> WAL_SETTINGS = Map.of("min_wal_size", "2MB");

    /**
     * Dynamic shared memory (parallel queries; the statistics of PostgreSQL 15+) in files of the data directory
     * instead of {@code /dev/shm}: a server that is killed outright (by a test, after its stop's grace, by the
     * janitor) leaves its POSIX segments in {@code /dev/shm} until the machine restarts, while the run directory,
     * and the files in it, are always removed.
     */
    static final Map<String, String> CLEANUP_SETTINGS = Map.of("dynamic_shared_memory_type", "mmap");

    private final String version;
    private volatile SupervisedProcess process;
    private final Path runDir;
    private final int port;
    private final boolean initdbRan;
    private final List<String> command;
    private final OsUser user;
    private final MigratedClusters migrated;
    private final String seed;
    private final StartPhases phases;

    private EmbeddedPostgres(
            String version,
            SupervisedProcess process,
            Path runDir,
            int port,
            long startMillis,
            boolean initdbRan,
            Map<String, String> deliberate,
            List<String> command,
            OsUser user,
            MigratedClusters migrated,
            String seed,
            StartPhases phases) {
        super("embedded", true, deliberate, startMillis);
        this.version = version;
        this.process = process;
        this.runDir = runDir;
        this.port = port;
        this.initdbRan = initdbRan;
        this.command = command;
        this.user = user;
        this.migrated = migrated;
        this.seed = seed;
        this.phases = phases;
    }

    /**
     * @return how long the phases of this server's start took (copy, boot, ...), and the damaged cache entries it
     *     found and rebuilt (or removed to be saved anew), one line each, under {@code cacheRebuilt}
     */
    @Override
    public Map<String, Object> startPhases() {
        return phases.asMap();
    }

    @Override
    public Optional<ClusterSnapshots> clusterSnapshots() {
        return Optional.of(this);
    }

    /**
     * Starts a server: the fixed port checked first, binaries from the cache, the migrated (else the pristine)
     * cluster copied from the cache into a run directory (each entry verified, rebuilt when damaged), then the
     * server started on a free port.
     *
     * @param profile  the effective profile (version, settings, port, os-user, cache-dir)
     * @param seedKey  fingerprint of the migrations the first test class needs: when a cluster with exactly those
     *                 migrations applied is cached, the server starts from it and Flyway need not run; may be null
     * @return the running server
     */
    public static EmbeddedPostgres start(ProductionProfile profile, String seedKey) {
        long t0 = System.nanoTime();
        String version = profile.require(ProductionProfile.POSTGRES_VERSION, "16.4");
        requirePosix();
        Path cache = Cache.root(profile);
        OsUser user = OsUser.isRoot() ? OsUser.named(profile.get(ProductionProfile.POSTGRES_OS_USER, "nobody")) : null;
        Integer fixedPort = fixedPort(profile, version, user); // before anything is unpacked or copied
        List<String> repairs = Collections.synchronizedList(new ArrayList<>());
        Consumer<String> rebuilt = line -> {
            repairs.add(line);
            Console.warning(line);
        };
        ZonkyBinaries zonky =
                new ZonkyBinaries(version, ZonkyBinaries.platform(), ZonkyBinaries.defaultLocalRepository());
        Path install = zonky.target(cache);
        // Checking the binaries against their manifest (unpacking them when missing or damaged) runs while the
        // cluster is copied: a cached start does not wait for it.
        Background<Path> binaries = Background.start("binaries", () -> zonky.install(cache, rebuilt));
        String clusterId = install.getFileName() + "-"
                + hash(String.join(" ", Clusters.INITDB_ARGS) + (user == null ? "" : " as " + user.name()));
        Path pristine = cache.resolve("postgres").resolve("clusters").resolve(clusterId);
        MigratedClusters migrated = new MigratedClusters(cache, clusterId);
        Path seeded = seedKey == null ? null : migrated.entry(seedKey);
        long tRunDir = System.nanoTime();
        Path runDir = RunDirectories.create(cache, "postgres");
        Path data = runDir.resolve("data");
        StartPhases phases = new StartPhases();
        long tCopy = System.nanoTime();
        phases.took("runDirMs", tRunDir, tCopy);
        boolean initdbRan = false;
        String seed = null;
        Launched launched = null;
        Map<String, String> declared = profile.withPrefix(ProductionProfile.POSTGRES_SETTINGS_PREFIX);
        MigratedCopy copy = MigratedCopy.start(seeded, seedKey, runDir, rebuilt, phases);
        try {
            if (copy != null && copy.awaitEverythingButBase()) {
                // The server boots from global/, pg_wal/ and the rest while base/ (nine tenths of the bytes: the
                // databases) is still being copied: a postmaster that starts from a clean shutdown reads no
                // database's files, and nothing connects to one before the copy is complete and verified.
                binaries.join();
                long tBoot = System.nanoTime();
                phases.took("copyBeforeBootMs", tCopy, tBoot);
                phases.took("binariesAndInitdbMs", t0, tCopy);
                RuntimeException bootFailed = null;
                try {
                    launched = launch(
                            version,
                            install,
                            data,
                            runDir,
                            user,
                            fixedPort,
                            serverSettings(declared),
                            declared,
                            seeded);
                    phases.put("bootMs", launched.bootMs);
                } catch (RuntimeException e) {
                    bootFailed = e;
                }
                seed = copy.await();
                phases.put("copyClusterMs", copy.millis());
                if (seed == null) { // the entry was damaged (reported and removed): start from initdb instead
                    if (launched != null) {
                        launched.process.stop(Duration.ofSeconds(10));
                        launched = null;
                    }
                    Cache.deleteRecursively(data);
                } else if (bootFailed != null) {
                    throw bootFailed;
                }
            } else if (copy != null) {
                seed = copy.await(); // null: the entry was damaged (reported and removed)
            }
            if (seed == null) {
                // The pristine cluster is needed (and verified) only when no migrated one was copied.
                long tInitdb = System.nanoTime();
                binaries.join();
                initdbRan = Clusters.pristine(version, install, pristine, user, cache, rebuilt);
                tCopy += System.nanoTime() - tInitdb;
                Clusters.copyPristine(pristine, runDir);
                phases.since("copyClusterMs", tCopy);
                phases.took("binariesAndInitdbMs", t0, tCopy);
                launched = launch(
                        version, install, data, runDir, user, fixedPort, serverSettings(declared), declared, pristine);
                phases.put("bootMs", launched.bootMs);
            }
        } catch (RuntimeException | IOException e) {
            if (copy != null) {
                copy.awaitQuietly(); // before its directory goes
            }
            if (launched != null) {
                launched.process.stop(Duration.ofSeconds(10));
            }
            deleteQuietly(runDir);
            if (e instanceof IOException io) {
                throw new UncheckedIOException(
                        "Could not remove the copy of a damaged cache entry in " + data + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        if (!repairs.isEmpty()) {
            phases.note("cacheRebuilt", String.join("\n", repairs));
        }
        return new EmbeddedPostgres(
                version,
                launched.process,
                runDir,
                launched.port,
                (System.nanoTime() - t0) / 1_000_000,
                initdbRan,
                deliberate(declared),
                launched.command,
                user,
                migrated,
                seed,
                phases);
    }

    private static void requirePosix() {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            throw new ExtensionConfigurationException("provider=embedded runs PostgreSQL under a POSIX shell watchdog"
                    + " and supports Linux and macOS only; this is " + System.getProperty("os.name") + ".\nFix: use"
                    + " provider=docker (Docker Desktop) or provider=external with postgres.url.");
        }
    }

    /** The port the profile fixes, checked before anything is copied; null when prodlike picks one. */
    private static Integer fixedPort(ProductionProfile profile, String version, OsUser user) {
        Integer fixed = profile.get(ProductionProfile.POSTGRES_PORT)
                .map(Integer::valueOf)
                .orElse(null);
        if (fixed != null) {
            String problem = Ports.fixedPortProblem(
                    fixed,
                    user != null || !OsUser.isRoot(),
                    user != null ? user.name() : System.getProperty("user.name"),
                    "PostgreSQL " + version,
                    ProductionProfile.POSTGRES_PORT);
            if (problem != null) {
                throw new ExtensionConfigurationException(problem);
            }
        }
        return fixed;
    }

    private static void deleteQuietly(Path runDir) {
        try {
            Cache.deleteRecursively(runDir);
        } catch (IOException ignored) {
            // reaped by the watchdog or the next run
        }
    }

    private static Map<String, String> serverSettings(Map<String, String> declared) {
        Map<String, String> settings = new LinkedHashMap<>(SPEED_SETTINGS);
        settings.putAll(WAL_SETTINGS);
        settings.putAll(CLEANUP_SETTINGS);
        settings.putAll(declared);
        return settings;
    }

    private static Map<String, String> deliberate(Map<String, String> declared) {
        Map<String, String> deliberate = new LinkedHashMap<>();
        SPEED_SETTINGS.forEach((k, v) -> {
            if (!declared.containsKey(k)) {
                deliberate.put(k + "=" + v, "test speed; durability after a crash is irrelevant to tests");
            }
        });
        if (!declared.containsKey("dynamic_shared_memory_type")) {
            deliberate.put(
                    "dynamic_shared_memory_type=mmap",
                    "shared memory segments live in the run directory, so a killed server leaves none in /dev/shm;"
                            + " no effect on query results");
        }
        deliberate.put(
                "initdb --no-locale",
                "C collation and ctype; declare lc_* settings if production sorts" + " text by a locale");
        if (!declared.containsKey("min_wal_size")) {
            deliberate.put(
                    "initdb --wal-segsize=1, min_wal_size=2MB",
                    "1 MB WAL segments: the cached cluster is"
                            + " ~30 MB smaller to copy at start; WAL sizing does not change query results");
        }
        return deliberate;
    }

    /** A server process that answered, with what started it. */
    private record Launched(SupervisedProcess process, int port, List<String> command, long bootMs) {}

    /**
     * Starts the server on the fixed port, or on a free one (again on another, up to three times, when a
     * neighbour took the port first); on failure removes the run directory and says which cache entry it came from.
     */
    private static Launched launch(
            String version,
            Path install,
            Path data,
            Path runDir,
            OsUser user,
            Integer fixedPort,
            Map<String, String> settings,
            Map<String, String> declared,
            Path entry) {
        for (int attempt = 1; ; attempt++) {
            int port = fixedPort != null ? fixedPort : Ports.freeLoopbackPort();
            List<String> command = new ArrayList<>(List.of(
                    install.resolve("bin").resolve("postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    String.valueOf(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "unix_socket_directories=",
                    "-c",
                    "logging_collector=off"));
            settings.forEach((k, v) -> {
                command.add("-c");
                command.add(k + "=" + v);
            });
            Path log = runDir.resolve("postgres.log");
            SupervisedProcess process = SupervisedProcess.start(
                    "PostgreSQL " + version, user == null ? command : user.wrap(command), runDir, log, "INT", Map.of());
            long tBoot = System.nanoTime();
            String failure = PostmasterPid.awaitReady(process, data, port, Duration.ofSeconds(60));
            if (failure == null) {
                return new Launched(process, port, command, (System.nanoTime() - tBoot) / 1_000_000);
            }
            process.stop(Duration.ofSeconds(5));
            String tail = SupervisedProcess.tail(log, 15);
            boolean portRace = tail.contains("could not bind") || tail.contains("Address already in use");
            if (portRace && fixedPort == null && attempt < 3) {
                continue;
            }
            if (portRace && fixedPort != null) {
                throw new ExtensionConfigurationException(
                        Ports.inUseMessage(port, "PostgreSQL " + version, ProductionProfile.POSTGRES_PORT));
            }
            throw new IllegalStateException("PostgreSQL " + version + " (embedded) did not start: " + failure
                    + "\nServer log:\n" + indent(tail) + hintFor(tail, declared, entry));
        }
    }

    private static String hintFor(String log, Map<String, String> declared, Path entry) {
        for (String key : declared.keySet()) {
            if (log.contains("\"" + key + "\"")) {
                return "\nFix: check " + ProductionProfile.POSTGRES_SETTINGS_PREFIX + key + "=" + declared.get(key)
                        + " in prodlike.properties; the server rejected it.";
            }
        }
        return "\nThe cluster was copied from the cache entry " + entry + " (verified against its manifest). If"
                + " the cache is at fault, delete that entry and the next run rebuilds it.";
    }

    static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String ownerUser() {
        return "postgres";
    }

    @Override
    public String ownerPassword() {
        return null;
    }

    @Override
    public String adminDatabase() {
        return "postgres";
    }

    @Override
    public String description() {
        return "embedded (zonky binaries " + version + ".0, "
                + (initdbRan ? "initdb ran" : seed != null ? "cached migrated cluster" : "cached cluster")
                + (OsUser.isRoot() ? ", run as an unprivileged user" : "") + ")";
    }

    @Override
    public boolean startedFrom(String key) {
        return key != null && key.equals(seed);
    }

    @Override
    public TemplateMetadata seedMetadata(String key) {
        return migrated.metadata(key);
    }

    /**
     * Keeps this cluster, just migrated, for later runs: a clean shutdown, a copy into the cache, a restart on the
     * same port. Costs the first run ~0.2 s and spares every later run the migrations.
     */
    @Override
    public void snapshot(String key, TemplateMetadata metadata) {
        String walInUse = currentWalFile();
        Ports.hold(port); // it restarts on this port: this JVM's proxies stay off it meanwhile
        process.stop(Duration.ofSeconds(30));
        try {
            migrated.save(runDir.resolve("data"), key, metadata, walInUse);
        } catch (Exception e) {
            Console.warning("could not cache the migrated cluster (the next run migrates again): " + e);
        }
        try {
            // left behind only if the stop had to kill: it would say "ready" before the new server writes its own
            Files.deleteIfExists(runDir.resolve("data").resolve("postmaster.pid"));
        } catch (IOException e) {
            // the server reports it at start
        }
        process = SupervisedProcess.start(
                "PostgreSQL " + version,
                user == null ? command : user.wrap(command),
                runDir,
                runDir.resolve("postgres.log"),
                "INT",
                Map.of());
        String failure;
        try {
            failure = PostmasterPid.awaitReady(process, runDir.resolve("data"), port, Duration.ofSeconds(60));
        } finally {
            Ports.release(port);
        }
        if (failure != null) {
            throw new IllegalStateException("PostgreSQL " + version + " did not restart after caching the migrated"
                    + " cluster: " + failure + "\nServer log:\n"
                    + indent(SupervisedProcess.tail(runDir.resolve("postgres.log"), 15)));
        }
    }

    /** @return the WAL segment being written now, or null when the server cannot say */
    private String currentWalFile() {
        try (Connection c = ownerConnection(adminDatabase());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return null;
        }
    }

    /** @return the server's log file */
    Path log() {
        return runDir.resolve("postgres.log");
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
        try {
            Cache.deleteRecursively(runDir);
        } catch (IOException ignored) {
            // removed by the next run's leftover sweep
        }
    }
}
