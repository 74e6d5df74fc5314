package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.ProductionProfile;
import dev.prodlike.testing.SharedMemorySegments;
import dev.prodlike.testing.StartEmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM that ends abnormally leaves nothing running (the watchdog stops its server: its process is gone and its port
 * closed); its janitor removes its data directory at once, and should the janitor be gone too, the next run does.
 */
class LeftoversTests {

    /** A child JVM running embedded PostgreSQL: its process, the server's port, run directory and process. */
    record ChildRun(Process jvm, int port, Path runDir, long serverPid) {

        static ChildRun start(String cacheDir) throws Exception {
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            Process child = new ProcessBuilder(
                            java.toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            StartEmbeddedPostgres.class.getName(),
                            "16.4",
                            cacheDir)
                    .redirectErrorStream(true)
                    .start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String ready = null;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("READY ")) {
                    ready = line;
                    break;
                }
            }
            assertThat(ready).as("child JVM started PostgreSQL").isNotNull();
            int port = Integer.parseInt(ready.split(" ")[1]);
            Path runDir = Paths.get(ready.split(" ")[2]);
            long serverPid =
                    Long.parseLong(Files.readString(runDir.resolve("child.pid")).trim());
            assertThat(canConnect(port)).isTrue();
            assertThat(ProcessHandle.of(serverPid)).as("the server's process").isPresent();
            return new ChildRun(child, port, runDir, serverPid);
        }

        /** The child JVM's janitor ({@link RunDirectories}): started off the JVM's start thread, so waited for. */
        ProcessHandle janitor() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                java.util.Optional<ProcessHandle> janitor = jvm.children()
                        .filter(p -> commandLine(p.pid()).contains("prodlike-janitor"))
                        .findFirst();
                if (janitor.isPresent()) {
                    return janitor.get();
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the child JVM " + jvm.pid() + " started no janitor within 30 s");
        }

        /** Waits until the server's process is gone and asserts that, and that its port is closed. */
        void assertServerStopped() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (serverAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(serverAlive())
                    .as("the server's process %d, stopped by its watchdog", serverPid)
                    .isFalse();
            assertThat(canConnect(port))
                    .as("the server's port %d answers", port)
                    .isFalse();
        }

        private boolean serverAlive() {
            return ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    @Test
    void killedJvmLeavesNoServerRunningAndItsDirectoryIsReapedByTheNextRun() throws Exception {
        String cacheDir = System.getProperty("prodlike.cache-dir", "");
        ChildRun child = ChildRun.start(cacheDir);
        try {
            // Its janitor would remove the directory at once: gone first, only a next run can remove it.
            ProcessHandle janitor = child.janitor();
            janitor.destroyForcibly();
            janitor.onExit().get(30, TimeUnit.SECONDS);
            child.jvm().destroyForcibly(); // SIGKILL: no shutdown hook, no Store, nothing runs in the child
            assertThat(child.jvm().waitFor(30, TimeUnit.SECONDS)).isTrue();

            child.assertServerStopped();
            // The next run in any JVM (another test class running in parallel may be first) removes it.
            Path fresh = RunDirectories.create(
                    Cache.root(ProductionProfile.of(
                            cacheDir.isEmpty() ? Map.of() : Map.of(ProductionProfile.CACHE_DIR, cacheDir))),
                    "postgres");
            try {
                assertThat(child.runDir()).as("reaped by the next run").doesNotExist();
                assertThat(fresh).as("the next run's own directory").exists();
            } finally {
                Cache.deleteRecursively(fresh);
            }
        } finally {
            child.jvm().destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGKILL", "SIGTERM"})
    void aJvmThatEndsAbnormallyLeavesNothingInMemoryOrTheCacheWithinSeconds(String signal) throws Exception {
        Path cache = Files.createTempDirectory("prodlike-janitor-cache");
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        ChildRun child = ChildRun.start(cache.toString());
        try {
            assertThat(child.runDir().resolve("data")).isDirectory();
            long pid = child.jvm().pid();
            // As if the JVM were killed while saving a migrated cluster into the cache.
            Path partial = cache.resolve("postgres").resolve("migrated").resolve("16.4.0-x-y" + Cache.TMP + pid);
            Files.createDirectories(partial.resolve("data"));
            Files.writeString(partial.resolve("data").resolve("PG_VERSION"), "16\n");
            // Run directories named for the child that only its janitor removes: a next run (another class, another
            // JVM) leaves them alone, since their owner (this JVM) lives. One where the servers' data lives, one in
            // the cache.
            List<Path> planted =
                    new ArrayList<>(List.of(cache.resolve("runs").resolve("postgres-" + pid + "-planted")));
            Path memory = RunDirectories.memoryBacked();
            if (memory != null) {
                planted.add(memory.resolve("postgres-" + pid + "-planted"));
            }
            ProcessHandle self = ProcessHandle.current();
            for (Path dir : planted) {
                Files.createDirectories(dir);
                Files.writeString(
                        dir.resolve("owner"),
                        self.pid() + " "
                                + self.info().startInstant().orElseThrow().toEpochMilli() / 1000);
            }

            if (signal.equals("SIGKILL")) {
                child.jvm().destroyForcibly();
            } else {
                child.jvm().destroy();
            }
            assertThat(child.jvm().waitFor(30, TimeUnit.SECONDS)).isTrue();

            child.assertServerStopped();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((Files.exists(child.runDir())
                            || Files.exists(partial)
                            || planted.stream().anyMatch(Files::exists))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(planted)
                    .as("run directories named for the child, removed by its janitor")
                    .noneMatch(Files::exists);
            assertThat(child.runDir())
                    .as("the run's data directory, removed without waiting for the next run")
                    .doesNotExist();
            assertThat(partial).as("the half-saved cache entry").doesNotExist();
            assertThat(cache.resolve("postgres").resolve("clusters"))
                    .as("complete cache entries stay")
                    .isDirectory();
        } finally {
            child.jvm().destroyForcibly();
            Cache.deleteRecursively(cache);
        }
    }

    /**
     * A server killed outright runs no cleanup: POSIX shared memory segments it made in {@code /dev/shm} would stay
     * until the machine restarts. prodlike's servers keep theirs in the data directory, removed with the run.
     */
    @Test
    void aServerKilledOutrightLeavesNoSharedMemoryBehind() throws Exception {
        Set<Path> before = SharedMemorySegments.postgres();
        String cacheDir = System.getProperty("prodlike.cache-dir", "");
        ChildRun child = ChildRun.start(cacheDir);
        try {
            Path data = child.runDir().resolve("data");
            try (Stream<Path> segments = Files.list(data.resolve("pg_dynshmem"))) {
                assertThat(segments.map(p -> p.getFileName().toString()))
                        .as("the server's control segment, in its data directory")
                        .anyMatch(name -> name.startsWith("mmap."));
            }
            long postmaster = Long.parseLong(
                    Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
            child.assertServerStopped();
            child.jvm().destroyForcibly();
            assertThat(child.jvm().waitFor(30, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Files.exists(child.runDir()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(child.runDir()).as("removed by the child's janitor").doesNotExist();
            assertThat(SharedMemorySegments.madeSince(before))
                    .as("PostgreSQL segments left in %s", SharedMemorySegments.SHM)
                    .isEmpty();
        } finally {
            child.jvm().destroyForcibly();
        }
    }

    @Test
    void halfBuiltCacheEntriesOfDeadJvmsAreRemovedAndALiveOnesAreNot() throws Exception {
        Path cache = Files.createTempDirectory("prodlike-halfbuilt");
        try {
            Path dead = cache.resolve("postgres").resolve("migrated").resolve("16.4.0-x-y" + Cache.TMP + "2147483000");
            Path live = cache.resolve("postgres")
                    .resolve("clusters")
                    .resolve("16.4.0-x" + Cache.TMP + ProcessHandle.current().pid());
            Path complete = cache.resolve("postgres").resolve("migrated").resolve("16.4.0-x-z");
            for (Path p : new Path[] {dead, live, complete}) {
                Files.createDirectories(p.resolve("data"));
            }

            assertThat(RunDirectories.reapHalfBuiltEntries(cache)).isEqualTo(1);
            assertThat(dead).doesNotExist();
            assertThat(live).as("being built by this JVM").isDirectory();
            assertThat(complete).isDirectory();
        } finally {
            Cache.deleteRecursively(cache);
        }
    }

    @Test
    void liveNeighboursAreLeftAlone() throws Exception {
        Path root = Files.createTempDirectory("prodlike-runs");
        try {
            Path mine = root.resolve("postgres-live");
            Files.createDirectories(mine);
            ProcessHandle self = ProcessHandle.current();
            Files.writeString(
                    mine.resolve("owner"),
                    self.pid() + " " + self.info().startInstant().orElseThrow().toEpochMilli() / 1000);
            Path dead = root.resolve("postgres-dead");
            Files.createDirectories(dead.resolve("data"));
            Files.writeString(dead.resolve("owner"), "2147483000 1");

            assertThat(RunDirectories.reapLeftovers(root)).isEqualTo(1);
            assertThat(mine).exists();
            assertThat(dead).doesNotExist();
        } finally {
            Cache.deleteRecursively(root);
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Paths.get("/proc", String.valueOf(pid), "cmdline")),
                            StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @SuppressWarnings("try") // opening the connection is the probe
    private static boolean canConnect(int port) {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
