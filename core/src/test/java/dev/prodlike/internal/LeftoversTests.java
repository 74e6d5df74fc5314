package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.testing.StartEmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM killed with SIGKILL leaves nothing running (the watchdog stops its server) and its data directory is
 * removed by the next run.
 */
class LeftoversTests {

    @Test
    void killedJvmLeavesNoServerRunningAndItsDirectoryIsReapedByTheNextRun() throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        String cacheDir = System.getProperty("prodlike.cache-dir", "");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                StartEmbeddedPostgres.class.getName(), "16.4", cacheDir).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
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
            assertThat(canConnect(port)).isTrue();

            child.destroyForcibly(); // SIGKILL: no shutdown hook, no Store, nothing runs in the child
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (canConnect(port) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(canConnect(port)).as("server stopped by the watchdog after its JVM died").isFalse();
            // The crash left its data directory; the next run in any JVM (another test class running in parallel
            // may be first) removes it.
            Path fresh = RunDirectories.create(Cache.root(ProductionProfile.of(cacheDir.isEmpty() ? Map.of()
                    : Map.of(ProductionProfile.CACHE_DIR, cacheDir))), "postgres");
            try {
                assertThat(runDir).as("reaped by the next run").doesNotExist();
                assertThat(fresh).as("the next run's own directory").exists();
            } finally {
                Cache.deleteRecursively(fresh);
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGKILL", "SIGTERM"})
    void aJvmThatEndsAbnormallyLeavesNothingInMemoryOrTheCacheWithinSeconds(String signal) throws Exception {
        Path cache = Files.createTempDirectory("prodlike-janitor-cache");
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                StartEmbeddedPostgres.class.getName(), "16.4", cache.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String ready = null;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("READY ")) {
                    ready = line;
                    break;
                }
            }
            assertThat(ready).as("child JVM started PostgreSQL").isNotNull();
            Path runDir = Paths.get(ready.split(" ")[2]);
            assertThat(runDir.resolve("data")).isDirectory();
            // As if the JVM were killed while saving a migrated cluster into the cache.
            Path partial = cache.resolve("postgres").resolve("migrated")
                    .resolve("16.4.0-x-y" + Cache.TMP + child.pid());
            Files.createDirectories(partial.resolve("data"));
            Files.writeString(partial.resolve("data").resolve("PG_VERSION"), "16\n");

            if (signal.equals("SIGKILL")) {
                child.destroyForcibly();
            } else {
                child.destroy();
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((Files.exists(runDir) || Files.exists(partial)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(runDir).as("the run's data directory, removed without waiting for the next run")
                    .doesNotExist();
            assertThat(partial).as("the half-saved cache entry").doesNotExist();
            assertThat(cache.resolve("postgres").resolve("clusters")).as("complete cache entries stay").isDirectory();
        } finally {
            child.destroyForcibly();
            Cache.deleteRecursively(cache);
        }
    }

    @Test
    void halfBuiltCacheEntriesOfDeadJvmsAreRemovedAndALiveOnesAreNot() throws Exception {
        Path cache = Files.createTempDirectory("prodlike-halfbuilt");
        try {
            Path dead = cache.resolve("postgres").resolve("migrated").resolve("16.4.0-x-y" + Cache.TMP + "2147483000");
            Path live = cache.resolve("postgres").resolve("clusters").resolve("16.4.0-x" + Cache.TMP
                    + ProcessHandle.current().pid());
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
            Files.writeString(mine.resolve("owner"), self.pid() + " "
                    + self.info().startInstant().orElseThrow().toEpochMilli() / 1000);
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

    @SuppressWarnings("try") // opening the connection is the probe
    private static boolean canConnect(int port) {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
