package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listing next to an entry answers "unchanged" only while nothing in the entry changed. */
class CacheManifestTests {

    @TempDir
    Path root;

    @Test
    void anEntryAsSavedIsCheckedByItsListingAndAnyChangeFallsBackToTheWalk() throws Exception {
        Path entry = root.resolve("entry");
        Files.createDirectories(entry.resolve("data").resolve("base"));
        Files.writeString(entry.resolve("data").resolve("PG_VERSION"), "16\n", StandardCharsets.UTF_8);
        Files.write(entry.resolve("data").resolve("base").resolve("1259"), new byte[8192]);
        CacheManifest.write(entry);
        CacheManifest.writeListing(entry);
        assumeTrue(Files.isRegularFile(CacheManifest.listingOf(entry)), "GNU find with -printf");

        assertThat(CacheManifest.listingUnchanged(entry)).as("as saved").isTrue();
        assertThat(CacheManifest.check(entry)).isNull();

        Path table = entry.resolve("data").resolve("base").resolve("1259");
        FileTime saved = Files.getLastModifiedTime(table);
        Files.setLastModifiedTime(table, FileTime.fromMillis(saved.toMillis() + 5_000));
        assertThat(CacheManifest.listingUnchanged(entry)).as("a file touched").isFalse();
        assertThat(CacheManifest.check(entry)).startsWith("data/base/1259 changed");

        Files.setLastModifiedTime(table, saved);
        assertThat(CacheManifest.listingUnchanged(entry)).as("touched back").isTrue();

        Files.write(table, new byte[4096]); // truncated, as an OS cleaner or a full disk leaves it
        Files.setLastModifiedTime(table, saved);
        assertThat(CacheManifest.listingUnchanged(entry))
                .as("same time, other size")
                .isFalse();
        assertThat(CacheManifest.check(entry)).startsWith("data/base/1259 changed (size 4096");

        Files.write(table, new byte[8192]);
        Files.setLastModifiedTime(table, saved);
        Files.writeString(entry.resolve("data").resolve("stray"), "x", StandardCharsets.UTF_8);
        assertThat(CacheManifest.listingUnchanged(entry)).as("a file added").isFalse();
        assertThat(CacheManifest.check(entry)).isEqualTo("data/stray was added");

        Files.delete(entry.resolve("data").resolve("stray"));
        Files.delete(entry.resolve("data").resolve("PG_VERSION"));
        assertThat(CacheManifest.listingUnchanged(entry)).as("a file removed").isFalse();
        assertThat(CacheManifest.check(entry)).isEqualTo("data/PG_VERSION is missing");
    }

    @Test
    void anIntactEntryWithoutAListingGetsOneWhenItIsNextUsed() throws Exception {
        Path probe = root.resolve("probe");
        Files.createDirectories(probe.resolve("data"));
        CacheManifest.writeListing(probe);
        assumeTrue(Files.isRegularFile(CacheManifest.listingOf(probe)), "GNU find with -printf");
        Path entry = root.resolve("older");
        Files.createDirectories(entry.resolve("data"));
        Files.writeString(entry.resolve("data").resolve("PG_VERSION"), "16\n", StandardCharsets.UTF_8);
        CacheManifest.write(entry); // as a prodlike that wrote no listing left it
        assertThat(CacheManifest.listingOf(entry)).doesNotExist();

        boolean built = Cache.ensure(
                entry,
                dir -> {
                    throw new AssertionError("an intact entry is not rebuilt");
                },
                line -> {
                    throw new AssertionError("an intact entry is not reported: " + line);
                });

        assertThat(built).isFalse();
        assertThat(CacheManifest.listingOf(entry)).isRegularFile();
        assertThat(CacheManifest.listingUnchanged(entry)).isTrue();
    }
}
