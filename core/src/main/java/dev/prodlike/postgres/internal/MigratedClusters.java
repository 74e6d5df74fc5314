package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Cache;
import dev.prodlike.internal.CacheManifest;
import dev.prodlike.internal.TreeCopy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cache of migrated clusters of one pristine cluster (binaries, initdb arguments, OS user): one entry per
 * migrations fingerprint, each the whole data directory of a cleanly shut down server plus its
 * {@link TemplateMetadata}; the {@value #KEPT} most recently used are kept.
 */
final class MigratedClusters {

    /** Migrated clusters kept per pristine cluster; older ones are pruned. */
    static final int KEPT = 4;
    /** The entry's {@link TemplateMetadata}. */
    static final String METADATA = "template-metadata";
    /** The same pairs as saved by prodlike before there was one encoding (a properties file): still read. */
    static final String LEGACY_METADATA = "migrations.properties";

    private final Path root;
    private final String clusterId;

    MigratedClusters(Path cache, String clusterId) {
        this.root = cache.resolve("postgres").resolve("migrated");
        this.clusterId = clusterId;
    }

    /** @return the entry of a migrations fingerprint (it may not exist) */
    Path entry(String key) {
        return root.resolve(clusterId + "-" + key);
    }

    /** @return what the entry of a fingerprint remembers of its template; unknown when unreadable */
    TemplateMetadata metadata(String key) {
        for (String file : List.of(METADATA, LEGACY_METADATA)) {
            Path path = entry(key).resolve(file);
            if (Files.isRegularFile(path)) {
                try {
                    return TemplateMetadata.decode(Files.readString(path, StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // counts unknown
                }
            }
        }
        return TemplateMetadata.UNKNOWN;
    }

    /**
     * Saves a cleanly shut down cluster as the entry of a fingerprint, its unneeded WAL trimmed first, then prunes
     * old entries.
     *
     * @param data     the cluster's data directory
     * @param walInUse the WAL segment in use before the shutdown, or null
     */
    void save(Path data, String key, TemplateMetadata metadata, String walInUse) throws Exception {
        // The restart after this boots from these very files, so a trim that broke the cluster fails this run, not
        // a later one that starts from the cache.
        trimWal(data.resolve("pg_wal"), walInUse);
        Cache.ensure(entry(key), dir -> {
            TreeCopy.copyTree(data, dir.resolve("data"));
            Files.deleteIfExists(dir.resolve("data").resolve("postmaster.pid"));
            Files.writeString(dir.resolve(METADATA), metadata.encode() + "\n", StandardCharsets.UTF_8);
        });
        prune();
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
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (var list = Files.list(root)) {
            list.filter(p -> p.getFileName().toString().startsWith(clusterId + "-")
                            && Files.isDirectory(p)
                            && !p.getFileName().toString().contains(".tmp-"))
                    .forEach(entries::add);
        }
        entries.sort((a, b) -> {
            try {
                return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
            } catch (IOException e) {
                return 0;
            }
        });
        for (Path old : entries.subList(Math.min(KEPT, entries.size()), entries.size())) {
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
}
