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
import dev.prodlike.testing.SmallFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * initdb on a full disk fails once with what to do, and leaves nothing using the cluster directory: the 4 MB file
 * system mounted over it must unmount at once afterwards.
 *
 * <p>Isolated: while another class of this JVM starts a process, the new child holds a copy of every descriptor the
 * JVM has open (the JDK's launcher closes them only once the child runs), the cache's lock file in the cluster
 * directory among them, so the unmount could be refused by a process of someone else's for a moment. That is the
 * suspect of the one refusal seen (issue 30), not a proven cause: without the isolation, with one or four threads
 * starting processes throughout the test and another build beside it (load 4-9), 24 runs of this test and 4 runs of
 * core's whole suite never had the unmount refused. Should it happen again, the failure names the holders.
 */
@Isolated("the unmount must not meet a descriptor copied into a process another class is starting")
class InitdbOutOfDiskSpaceTests {

    @Test
    void initdbOutOfDiskSpaceSaysWhatToDoAndLeavesNothingUsingTheDirectory() throws Exception {
        ForcedProvider.assumeAllows("embedded");
        assumeTrue(OsUser.isRoot(), "mounting a small file system needs root");
        Path cache = privateCache();
        Path clusters = cache.resolve("postgres").resolve("clusters");
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
        } finally {
            Cache.deleteRecursively(cache);
        }
    }
}
