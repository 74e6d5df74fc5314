package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.testing.StartEmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
