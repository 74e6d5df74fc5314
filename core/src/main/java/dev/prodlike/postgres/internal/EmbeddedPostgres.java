package dev.prodlike.postgres.internal;

import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Cache;
import dev.prodlike.internal.CacheManifest;
import dev.prodlike.internal.OsUser;
import dev.prodlike.internal.Ports;
import dev.prodlike.internal.RunDirectories;
import dev.prodlike.internal.SupervisedProcess;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * PostgreSQL from the zonky binaries of exactly the declared version, run as a local process on 127.0.0.1.
 *
 * <p>The first run of a version unpacks the binaries and runs initdb once into the cache (a "pristine cluster");
 * later runs copy that cluster and start it, skipping initdb. When the JVM runs as root the server runs as an
 * unprivileged OS user.
 */
public final class EmbeddedPostgres extends ProvidedServer implements PgServer {

    /** Test-only settings: durability off. They change crash safety, never query results. */
    static final Map<String, String> SPEED_SETTINGS = new LinkedHashMap<>();

    static {
        SPEED_SETTINGS.put("fsync", "off");
        SPEED_SETTINGS.put("synchronous_commit", "off");
        SPEED_SETTINGS.put("full_page_writes", "off");
    }

    /** Small WAL: the cached cluster copies in half the time; WAL sizing never changes query results. */
    static final Map<String, String> WAL_SETTINGS = Map.of("min_wal_size", "2MB");

    static final List<String> INITDB_ARGS = List.of("-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync", "--wal-segsize=1");
    /** The database the boot's readiness probe asks for; none has this name, so the server answers 3D000. */
    static final String BOOT_PROBE_DATABASE = "prodlike_boot_probe_no_such_database";
    /** Migrated clusters kept per PostgreSQL version; older ones are pruned. */
    static final int MIGRATED_KEPT = 4;


    private final String version;
    private volatile SupervisedProcess process;
    private final Path runDir;
    private final int port;
    private final boolean initdbRan;
    private final List<String> command;
    private final OsUser user;
    private final Path migratedRoot;
    private final String seed;
    private final String clusterId;
    private final Map<String, Long> phases;
    private final List<String> repairs;

    private EmbeddedPostgres(String version, SupervisedProcess process, Path runDir, int port, long startMillis,
                             boolean initdbRan, Map<String, String> deliberate, List<String> command, OsUser user,
                             Path migratedRoot, String clusterId, String seed, Map<String, Long> phases,
                             List<String> repairs) {
        super("embedded", true, deliberate, startMillis);
        this.version = version;
        this.process = process;
        this.runDir = runDir;
        this.port = port;
        this.initdbRan = initdbRan;
        this.command = command;
        this.user = user;
        this.migratedRoot = migratedRoot;
        this.clusterId = clusterId;
        this.seed = seed;
        this.phases = phases;
        this.repairs = repairs;
    }

    /** @return one line per damaged cache entry this start found and rebuilt (or removed to be saved anew) */
    List<String> repairs() {
        return repairs;
    }

    /** @return how long the phases of this server's start took (copy, boot, ...), for the report */
    Map<String, Long> phases() {
        return phases;
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
        List<String> repairs = java.util.Collections.synchronizedList(new ArrayList<>());
        Consumer<String> rebuilt = line -> {
            repairs.add(line);
            dev.prodlike.internal.Console.warning(line);
        };
        ZonkyBinaries zonky = new ZonkyBinaries(version, ZonkyBinaries.platform(),
                ZonkyBinaries.defaultLocalRepository());
        Path install = zonky.target(cache);
        // Checking the binaries against their manifest (unpacking them when missing or damaged) runs while the
        // cluster is copied: a cached start does not wait for it.
        Background<Path> binaries = Background.start("binaries", () -> zonky.install(cache, rebuilt));
        String clusterId = install.getFileName() + "-" + hash(String.join(" ", INITDB_ARGS)
                + (user == null ? "" : " as " + user.name()));
        Path pristine = cache.resolve("postgres").resolve("clusters").resolve(clusterId);
        Path migratedRoot = cache.resolve("postgres").resolve("migrated");
        Path seeded = seedKey == null ? null : migratedRoot.resolve(clusterId + "-" + seedKey);
        long tRunDir = System.nanoTime();
        Path runDir = RunDirectories.create(cache, "postgres");
        Path data = runDir.resolve("data");
        // written by the copy thread too
        Map<String, Long> phases = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        long tCopy = System.nanoTime();
        phases.put("runDirMs", (tCopy - tRunDir) / 1_000_000);
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
                phases.put("copyBeforeBootMs", (tBoot - tCopy) / 1_000_000);
                phases.put("binariesAndInitdbMs", (tCopy - t0) / 1_000_000);
                RuntimeException bootFailed = null;
                try {
                    launched = launch(version, install, data, runDir, user, fixedPort, serverSettings(declared),
                            declared, seeded);
                    phases.put("bootMs", launched.bootMs);
                } catch (RuntimeException e) {
                    bootFailed = e;
                }
                seed = copy.await();
        try { if (System.getProperty("trace.prodlike") != null) System.out.println("PGLOG " + java.nio.file.Files.readString(runDir.resolve("postgres.log")).replace("\n", "\nPGLOG ")); } catch (Exception ignored) { }
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
                initdbRan = pristineCluster(version, install, pristine, user, cache, rebuilt);
                tCopy += System.nanoTime() - tInitdb;
                copyPristine(pristine, runDir);
                long tWait = System.nanoTime();
                phases.put("copyClusterMs", (tWait - tCopy) / 1_000_000);
                phases.put("binariesAndInitdbMs", (tCopy - t0) / 1_000_000);
                launched = launch(version, install, data, runDir, user, fixedPort, serverSettings(declared),
                        declared, pristine);
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
                throw new java.io.UncheckedIOException("Could not remove the copy of a damaged cache entry in "
                        + data + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        return new EmbeddedPostgres(version, launched.process, runDir, launched.port,
                (System.nanoTime() - t0) / 1_000_000, initdbRan, deliberate(declared), launched.command, user,
                migratedRoot, clusterId, seed, phases, List.copyOf(repairs));
    }

    private static void requirePosix() {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            throw new ExtensionConfigurationException("provider=embedded runs PostgreSQL under a POSIX shell watchdog"
                    + " and supports Linux and macOS only; this is " + System.getProperty("os.name") + ".\nFix: use"
                    + " provider=docker (Docker Desktop) or provider=external with postgres.url.");
        }
    }

    /** The initdb'd cluster of these binaries and OS user, verified (initdb runs again when damaged). */
    private static boolean pristineCluster(String version, Path install, Path pristine, OsUser user, Path cache,
                                           Consumer<String> rebuilt) {
        try {
            return Cache.ensure(pristine, dir -> initdb(install, dir, user, cache), rebuilt);
        } catch (ExtensionConfigurationException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("initdb of PostgreSQL " + version + " failed: " + e.getMessage(), e);
        }
    }

    /** The port the profile fixes, checked before anything is copied; null when prodlike picks one. */
    private static Integer fixedPort(ProductionProfile profile, String version, OsUser user) {
        Integer fixed = profile.get(ProductionProfile.POSTGRES_PORT).map(Integer::valueOf).orElse(null);
        if (fixed != null) {
            String problem = Ports.fixedPortProblem(fixed, user != null || !OsUser.isRoot(),
                    user != null ? user.name() : System.getProperty("user.name"), "PostgreSQL " + version,
                    ProductionProfile.POSTGRES_PORT);
            if (problem != null) {
                throw new ExtensionConfigurationException(problem);
            }
        }
        return fixed;
    }

    /**
     * The migrated cluster for a seed key being copied into the run directory, when one is cached. It is copied
     * under the entry's lock (another JVM may be pruning old entries right now) on a thread of its own, in two
     * steps: everything but {@code base/} first, which is all a server needs to boot, then {@code base/}, the
     * databases, while it boots. A third thread checks the entry against its manifest meanwhile. A damaged entry is
     * removed (and the copy with it), to be migrated and saved anew.
     */
    private static final class MigratedCopy {
        private final java.util.concurrent.CompletableFuture<Boolean> butBase =
                new java.util.concurrent.CompletableFuture<>();
        private Background<String> whole;
        private volatile long millis;

        /** @return the copy under way, or null when no seed key was given */
        static MigratedCopy start(Path seeded, String seedKey, Path runDir, Consumer<String> rebuilt,
                                  Map<String, Long> phases) {
            if (seeded == null) {
                return null;
            }
            MigratedCopy copy = new MigratedCopy();
            Path data = runDir.resolve("data");
            copy.whole = Background.start("copy", () -> {
                long t0 = System.nanoTime();
                try {
                    return Cache.withLock(Cache.lockOf(seeded), () -> {
                        if (!Files.isDirectory(seeded)) {
                            copy.butBase.complete(false);
                            return null;
                        }
                        Background<String> check = Background.start("cache check",
                                () -> CacheManifest.adopt(seeded) ? null : CacheManifest.check(seeded));
                        Path base = seeded.resolve("data").resolve("base");
                        Cache.copyTreeExcept(seeded.resolve("data"), data, "base");
                        Cache.createDirectoryLike(base, data.resolve("base"));
                        copy.butBase.complete(true);
                        // Each database's directory appears in base/ whole (copied beside it, then renamed): the
                        // booting server scans base/ (for temporary files and stale relation-cache init files) and
                        // finds either nothing of a database or all of it, never a directory being written.
                        Path aside = data.resolve(".prodlike-base-copy");
                        Cache.copyTree(base, aside);
                        try (java.nio.file.DirectoryStream<Path> databases = Files.newDirectoryStream(aside)) {
                            for (Path db : databases) {
                                Files.move(db, data.resolve("base").resolve(db.getFileName().toString()),
                                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                            }
                        }
                        Files.delete(aside);
                        copy.millis = (System.nanoTime() - t0) / 1_000_000;
                        long tWait = System.nanoTime();
                        String damage = check.join();
                        phases.put("cacheCheckWaitMs", (System.nanoTime() - tWait) / 1_000_000);
                        if (damage != null) {
                            rebuilt.accept(Cache.damaged(seeded, damage) + "; removed it, so the migrations run"
                                    + " again and it is saved anew");
                            Cache.deleteRecursively(seeded);
                            Files.deleteIfExists(CacheManifest.listingOf(seeded));
                            return null;
                        }
                        CacheManifest.adoptListing(seeded);
                        Files.setLastModifiedTime(seeded,
                                java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
                        return seedKey;
                    });
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw copyFailed(seeded, data, e);
                } finally {
                    copy.butBase.complete(false); // no-op once completed: whoever waits for it never hangs
                }
            });
            return copy;
        }

        /**
         * @return true once everything but the databases is copied; false when there is no entry or the copy failed
         *     (then {@link #await} says which)
         */
        boolean awaitEverythingButBase() {
            return butBase.join(); // completed, never exceptionally, by every path of the copy
        }

        /** @return the seed key once all is copied and the entry verified; null when it was missing or damaged */
        String await() {
            return whole.join();
        }

        /** Waits for the copy to end, however it ends (before its directory is deleted). */
        void awaitQuietly() {
            try {
                whole.join();
            } catch (RuntimeException | Error e) {
                // reported by await()
            }
        }

        long millis() {
            return millis;
        }
    }

    /** Copies the pristine cluster (checked by {@link Cache#ensure} just before) under its lock. */
    private static void copyPristine(Path pristine, Path runDir) {
        Path data = runDir.resolve("data");
        try {
            Cache.withLock(Cache.lockOf(pristine), () -> {
                Cache.copyTree(pristine.resolve("data"), data);
                return null;
            });
        } catch (Exception e) {
            throw copyFailed(pristine, data, e);
        }
    }

    private static IllegalStateException copyFailed(Path entry, Path data, Exception e) {
        return new IllegalStateException("Could not copy the cached cluster " + entry + " to " + data + ": "
                + e.getMessage() + diskHint(e.getMessage(), data.getParent()), e);
    }

    /** Work on a thread of its own whose failure is rethrown, unwrapped, by {@link #join()}. */
    private static final class Background<T> {
        private final java.util.concurrent.FutureTask<T> task;

        private Background(java.util.concurrent.Callable<T> work) {
            this.task = new java.util.concurrent.FutureTask<>(work);
        }

        static <T> Background<T> start(String what, java.util.concurrent.Callable<T> work) {
            Background<T> b = new Background<>(work);
            Thread t = new Thread(b.task, "prodlike-" + what);
            t.setDaemon(true);
            t.start();
            return b;
        }

        T join() {
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause.getMessage(), cause);
            }
        }
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
        deliberate.put("initdb --no-locale", "C collation and ctype; declare lc_* settings if production sorts"
                + " text by a locale");
        if (!declared.containsKey("min_wal_size")) {
            deliberate.put("initdb --wal-segsize=1, min_wal_size=2MB", "1 MB WAL segments: the cached cluster is"
                    + " ~30 MB smaller to copy at start; WAL sizing does not change query results");
        }
        return deliberate;
    }

    /** A server process that answered, with what started it. */
    private record Launched(SupervisedProcess process, int port, List<String> command, long bootMs) {
    }

    /**
     * Starts the server on the fixed port, or on a free one (again on another, up to three times, when a
     * neighbour took the port first); on failure removes the run directory and says which cache entry it came from.
     */
    private static Launched launch(String version, Path install, Path data, Path runDir, OsUser user,
                                   Integer fixedPort, Map<String, String> settings, Map<String, String> declared,
                                   Path entry) {
        for (int attempt = 1; ; attempt++) {
            int port = fixedPort != null ? fixedPort : Ports.freeLoopbackPort();
            List<String> command = new ArrayList<>(List.of(install.resolve("bin").resolve("postgres").toString(),
                    "-D", data.toString(), "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1",
                    "-c", "unix_socket_directories=", "-c", "logging_collector=off"));
            settings.forEach((k, v) -> {
                command.add("-c");
                command.add(k + "=" + v);
            });
            Path log = runDir.resolve("postgres.log");
            SupervisedProcess process = SupervisedProcess.start("PostgreSQL " + version,
                    user == null ? command : user.wrap(command), runDir, log, "INT", Map.of());
            long tBoot = System.nanoTime();
            String failure = awaitReady(process, port, Duration.ofSeconds(60));
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
                throw new ExtensionConfigurationException(Ports.inUseMessage(port, "PostgreSQL " + version,
                        ProductionProfile.POSTGRES_PORT));
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

    /** A fix line when {@code message} says the disk is full, else nothing. */
    static String diskHint(String message, Path where) {
        if (message == null || !message.contains("No space left on device")) {
            return "";
        }
        long freeMb = -1;
        try {
            freeMb = Files.getFileStore(Files.exists(where) ? where : where.getParent()).getUsableSpace() >> 20;
        } catch (IOException | RuntimeException ignored) {
            // unknown
        }
        return "\nFix: the disk holding " + where + " is full" + (freeMb >= 0 ? " (" + freeMb + " MB free now)" : "")
                + "; a PostgreSQL cluster needs ~60 MB and each cached one as much again. Free space there, or set "
                + ProductionProfile.CACHE_DIR + "=<a directory on a roomier disk> in prodlike.properties.";
    }

    private static void initdb(Path install, Path dir, OsUser user, Path cache) throws Exception {
        Path data = dir.resolve("data");
        if (user != null) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            user.chownTree(dir);
        }
        List<String> command = new ArrayList<>(List.of(install.resolve("bin").resolve("initdb").toString(),
                "-D", data.toString()));
        command.addAll(INITDB_ARGS);
        ProcessBuilder pb = new ProcessBuilder(user == null ? command : user.wrap(command))
                .redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C");
        Path log = Files.createTempFile("prodlike-initdb", ".log");
        try {
            Process p = pb.redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("initdb did not finish within 5 minutes");
            }
            if (p.exitValue() != 0) {
                String out = SupervisedProcess.tail(log, 20);
                throw new IllegalStateException("initdb exited " + p.exitValue() + ":\n" + indent(out)
                        + diskHint(out, dir.getParent()));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @SuppressWarnings("try") // opening the connection is the probe
    private static String awaitReady(SupervisedProcess process, int port, Duration timeout) {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "2");
        // A database that does not exist: the server says so once it accepts connections, without a backend
        // opening any database's files (base/ may still be being copied while it boots).
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + BOOT_PROBE_DATABASE;
        return process.awaitReady(() -> {
            try (Connection c = java.sql.DriverManager.getConnection(url, props)) {
                return null;
            } catch (SQLException e) {
                return "3D000".equals(e.getSQLState()) ? null : e.toString();
            }
        }, timeout, Duration.ofMillis(5), "no connection");
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
        return "embedded (zonky binaries " + version + ".0, " + (initdbRan ? "initdb ran"
                : seed != null ? "cached migrated cluster" : "cached cluster")
                + (OsUser.isRoot() ? ", run as an unprivileged user" : "") + ")";
    }





    /**
     * @param key a migrations fingerprint
     * @return true when this server started from a cluster that has exactly those migrations applied
     */
    boolean startedFrom(String key) {
        return key != null && key.equals(seed);
    }

    /**
     * @param key a migrations fingerprint
     * @return the cached metadata of the migrated cluster this server started from
     */
    java.util.Properties seedMetadata(String key) {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(migratedRoot.resolve(clusterId + "-" + key).resolve("migrations.properties"))) {
            p.load(in);
        } catch (IOException ignored) {
            // counts unknown
        }
        return p;
    }

    /**
     * Keeps this cluster, just migrated, for later runs: a clean shutdown, a copy into the cache, a restart on the
     * same port. Costs the first run ~0.2 s and spares every later run the migrations.
     *
     * @param key      the migrations fingerprint
     * @param metadata what to remember about the migrations (count, checksum)
     */
    void snapshot(String key, java.util.Properties metadata) {
        Path target = migratedRoot.resolve(clusterId + "-" + key);
        String walInUse = currentWalFile();
        process.stop(Duration.ofSeconds(30));
        try {
            // The restart below boots from these very files, so a trim that broke the cluster fails this run, not
            // a later one that starts from the cache.
            trimWal(runDir.resolve("data").resolve("pg_wal"), walInUse);
            Cache.ensure(target, dir -> {
                Cache.copyTree(runDir.resolve("data"), dir.resolve("data"));
                Files.deleteIfExists(dir.resolve("data").resolve("postmaster.pid"));
                try (var out = Files.newOutputStream(dir.resolve("migrations.properties"))) {
                    metadata.store(out, "migrations applied in this cached cluster");
                }
            });
            prune();
        } catch (Exception e) {
            dev.prodlike.internal.Console.warning("could not cache the migrated cluster (the next run migrates again): "
                    + e);
        }
        process = SupervisedProcess.start("PostgreSQL " + version, user == null ? command : user.wrap(command),
                runDir, runDir.resolve("postgres.log"), "INT", Map.of());
        String failure = awaitReady(process, port, Duration.ofSeconds(60));
        if (failure != null) {
            throw new IllegalStateException("PostgreSQL " + version + " did not restart after caching the migrated"
                    + " cluster: " + failure + "\nServer log:\n" + indent(SupervisedProcess.tail(
                    runDir.resolve("postgres.log"), 15)));
        }
    }

    /** @return the WAL segment being written now, or null when the server cannot say */
    private String currentWalFile() {
        try (Connection c = ownerConnection(adminDatabase()); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return null;
        }
    }

    /**
     * Deletes, from a cleanly shut down cluster, the WAL segments it no longer needs: those before the one in use just
     * before the shutdown (their contents are checkpointed), and segments recycled for later use beyond the few after
     * it (the shutdown checkpoint lands in the segment in use or a next one; PostgreSQL creates missing segments when
     * it needs them). A migrated cluster had 16 of its 59 MB in such segments, copied at every start.
     *
     * @param walDir   the cluster's pg_wal
     * @param walInUse the segment in use before the shutdown; nothing is deleted when null
     */
    static void trimWal(Path walDir, String walInUse) throws IOException {
        if (walInUse == null || !walInUse.matches("[0-9A-F]{24}")) {
            return;
        }
        List<Path> later = new ArrayList<>();
        try (var list = Files.list(walDir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (!name.matches("[0-9A-F]{24}") || !name.substring(0, 8).equals(walInUse.substring(0, 8))) {
                    continue; // archive_status, history files, other timelines: kept
                }
                if (name.compareTo(walInUse) < 0) {
                    Files.delete(p);
                } else {
                    later.add(p);
                }
            }
        }
        later.sort(null);
        for (Path p : later.subList(Math.min(4, later.size()), later.size())) {
            Files.delete(p);
        }
    }

    private void prune() throws IOException {
        if (!Files.isDirectory(migratedRoot)) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (var list = Files.list(migratedRoot)) {
            list.filter(p -> p.getFileName().toString().startsWith(clusterId + "-") && Files.isDirectory(p)
                    && !p.getFileName().toString().contains(".tmp-")).forEach(entries::add);
        }
        entries.sort((a, b) -> {
            try {
                return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
            } catch (IOException e) {
                return 0;
            }
        });
        for (Path old : entries.subList(Math.min(MIGRATED_KEPT, entries.size()), entries.size())) {
            try {
                Cache.withLock(Cache.lockOf(old), () -> {
                    Cache.deleteRecursively(old);
                    // Its lock goes too, else one empty lock file per pruned entry accumulates; a JVM waiting
                    // on it notices (Cache.withLock) and locks the file anew.
                    Files.deleteIfExists(Cache.lockOf(old));
                    Files.deleteIfExists(CacheManifest.listingOf(old));
                    return null;
                });
            } catch (Exception e) {
                throw new IOException("could not prune " + old + ": " + e.getMessage(), e);
            }
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
