package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Cache;
import dev.prodlike.internal.CacheManifest;
import dev.prodlike.internal.TreeCopy;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The migrated cluster for a seed key being copied into the run directory, when one is cached. It is copied
 * under the entry's lock (another JVM may be pruning old entries right now) on a thread of its own, in two
 * steps: everything but {@code base/} first, which is all a server needs to boot, then {@code base/}, the
 * databases, while it boots. A third thread checks the entry against its manifest meanwhile. A damaged entry is
 * removed (and the copy with it), to be migrated and saved anew.
 */
final class MigratedCopy {
    private final CompletableFuture<Boolean> butBase = new CompletableFuture<>();
    private Background<String> whole;
    private volatile long millis;

    /** @return the copy under way, or null when no seed key was given */
    static MigratedCopy start(Path seeded, String seedKey, Path runDir, Consumer<String> rebuilt, StartPhases phases) {
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
                    Background<String> check = Background.start(
                            "cache check", () -> CacheManifest.adopt(seeded) ? null : CacheManifest.check(seeded));
                    Path base = seeded.resolve("data").resolve("base");
                    TreeCopy.copyTreeExcept(seeded.resolve("data"), data, "base");
                    TreeCopy.createDirectoryLike(base, data.resolve("base"));
                    copy.butBase.complete(true);
                    // Each database's directory appears in base/ whole (copied beside it, then renamed): the
                    // booting server scans base/ (for temporary files and stale relation-cache init files) and
                    // finds either nothing of a database or all of it, never a directory being written.
                    Path aside = data.resolve(".prodlike-base-copy");
                    TreeCopy.copyTree(base, aside);
                    try (DirectoryStream<Path> databases = Files.newDirectoryStream(aside)) {
                        for (Path db : databases) {
                            Files.move(
                                    db,
                                    data.resolve("base")
                                            .resolve(db.getFileName().toString()),
                                    StandardCopyOption.ATOMIC_MOVE);
                        }
                    }
                    Files.delete(aside);
                    copy.millis = (System.nanoTime() - t0) / 1_000_000;
                    long tWait = System.nanoTime();
                    String damage = check.join();
                    phases.since("cacheCheckWaitMs", tWait);
                    if (damage != null) {
                        rebuilt.accept(Cache.damaged(seeded, damage) + "; removed it, so the migrations run"
                                + " again and it is saved anew");
                        Cache.deleteRecursively(seeded);
                        Files.deleteIfExists(CacheManifest.listingOf(seeded));
                        return null;
                    }
                    CacheManifest.adoptListing(seeded);
                    Files.setLastModifiedTime(seeded, FileTime.from(Instant.now()));
                    return seedKey;
                });
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw Clusters.copyFailed(seeded, data, e);
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
