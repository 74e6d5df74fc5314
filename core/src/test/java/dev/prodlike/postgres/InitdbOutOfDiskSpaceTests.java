package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProvisioningErrorsTests.BASE;
import static dev.prodlike.postgres.ProvisioningErrorsTests.classFailure;
import static dev.prodlike.postgres.ProvisioningErrorsTests.privateCache;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prodlike.internal.Cache;
import dev.prodlike.internal.OsUser;
import dev.prodlike.postgres.internal.EmbeddedPostgresAccess;
import dev.prodlike.testing.ForcedProvider;
import dev.prodlike.testing.SharedMemorySegments;
import dev.prodlike.testing.SmallFileSystem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * initdb on a full disk fails once with what to do, and leaves nothing using the cluster directory: the 4 MB file
 * system mounted over it must unmount at once afterwards.
 *
 * <p>What once kept it busy (issue 30): while a cluster is built, its cache lock is held with the lock file open, and
 * every process the JVM starts meanwhile, on any thread, gets a copy of that descriptor (the JDK opens files without
 * {@code O_CLOEXEC}; its launcher {@code jspawnhelper} closes the copies only once it runs, which under load can be
 * many milliseconds later). Core's classes run in parallel and start servers all the time, so with the lock file
 * inside the clusters directory the unmount could meet such a copy. Lock files now live beside that directory
 * ({@code clusters.locks/}); {@link #whileInitdbRunsThisJvmHasNothingOpenInTheClustersDirectory} proves it.
 *
 * <p>Still isolated: the JVM briefly opens other files there (a manifest as a build ends), so the unmount must not
 * meet a process another class is starting at that moment.
 */
@Isolated("the unmount must not meet a descriptor copied into a process another class is starting")
class InitdbOutOfDiskSpaceTests {

    @Test
    void initdbOutOfDiskSpaceSaysWhatToDoAndLeavesNothingUsingTheDirectory() throws Exception {
        ForcedProvider.assumeAllows("embedded");
        assumeTrue(OsUser.isRoot(), "mounting a small file system needs root");
        Path cache = privateCache();
        Path clusters = cache.resolve("postgres").resolve("clusters");
        Set<Path> segments = SharedMemorySegments.postgres();
        try {
            // The binaries unpack into the roomy cache; the cluster directory is a 4 MB file system.
            EmbeddedPostgresAccess.installBinaries("16.4", cache);
            Files.createDirectories(clusters);
            // Closing it fails, naming the holders, when anything of the failed start still uses the directory.
            try (SmallFileSystem ignored = SmallFileSystem.mount(clusters, "4m")) {
                assertThat(classFailure(
                                BASE + "cache-dir=" + cache + "\n", ProvisioningErrorsTests.PlainTestCase.class))
                        .hasMessageStartingWith("initdb exited 1:\n")
                        .hasMessageContaining("No space left on device")
                        .hasMessageContaining("\nFix: the disk holding " + clusters + " is full (")
                        .hasMessageEndingWith(" MB free now); a PostgreSQL cluster needs ~60 MB and each cached one"
                                + " as much again. Free space there, or set cache-dir=<a directory on a roomier disk>"
                                + " in prodlike.properties.");
            }
            // initdb's backends end on the error without their cleanup: their shared memory was in the data
            // directory, which initdb removed
            assertThat(SharedMemorySegments.madeSince(segments))
                    .as("PostgreSQL segments the failed initdb left in %s", SharedMemorySegments.SHM)
                    .isEmpty();
        } finally {
            Cache.deleteRecursively(cache);
        }
    }

    /**
     * While initdb builds a cluster (a second or so), this JVM has no file open under the clusters directory, so a
     * process started meanwhile by any thread cannot carry a descriptor of it. Looks every millisecond while an initdb
     * of this JVM runs.
     */
    @Test
    void whileInitdbRunsThisJvmHasNothingOpenInTheClustersDirectory() throws Exception {
        ForcedProvider.assumeAllows("embedded");
        assumeTrue(Files.isDirectory(Paths.get("/proc/self/fd")), "reading this JVM's descriptors needs Linux's /proc");
        Path cache = privateCache();
        Path clusters = cache.resolve("postgres").resolve("clusters");
        try {
            EmbeddedPostgresAccess.installBinaries("16.4", cache);
            Files.createDirectories(clusters);
            String prefix = clusters.toRealPath() + "/";
            CompletableFuture<Void> build = CompletableFuture.runAsync(
                    () -> EmbeddedPostgresAccess.buildPristineCluster("16.4", cache, clusters.resolve("probe")));
            Set<String> open = new TreeSet<>();
            int looks = 0;
            while (!build.isDone()) {
                if (initdbRuns()) {
                    looks++;
                    open.addAll(openFilesUnder(prefix));
                }
                Thread.sleep(1);
            }
            build.join();
            assertThat(clusters.resolve("probe").resolve("data").resolve("PG_VERSION"))
                    .as("the cluster was built")
                    .exists();
            assertThat(looks)
                    .as("looks at this JVM's descriptors while its initdb ran")
                    .isGreaterThan(10);
            assertThat(open)
                    .as("files under %s this JVM had open while initdb ran (%d looks)", clusters, looks)
                    .isEmpty();
        } finally {
            Cache.deleteRecursively(cache);
        }
    }

    private static boolean initdbRuns() {
        return ProcessHandle.current()
                .descendants()
                .anyMatch(p -> p.info().command().orElse("").endsWith("/initdb"));
    }

    private static Set<String> openFilesUnder(String prefix) throws IOException {
        Set<String> found = new TreeSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix)) {
                        found.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // closed between the listing and the look
                }
            }
        }
        return found;
    }
}
