package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The directory where binaries and initialised clusters are cached across runs, and helpers to fill it safely when
 * several JVMs (Surefire forks, parallel builds) race for the same entry.
 */
public final class Cache {

    private Cache() {}

    /**
     * The cache root: {@code cache-dir} from the profile, else {@code ~/.cache/prodlike}; when the JVM runs as root
     * the servers run as an unprivileged user who cannot enter root's home, so the default is then
     * {@code <java.io.tmpdir>/prodlike-cache} (world-traversable, not world-writable).
     *
     * @param profile the production profile
     * @return the directory, created if missing
     */
    public static Path root(ProductionProfile profile) {
        Path dir = profile.get(ProductionProfile.CACHE_DIR)
                .map(Paths::get)
                .orElseGet(() -> OsUser.isRoot()
                        ? Paths.get(System.getProperty("java.io.tmpdir"), "prodlike-cache")
                        : Paths.get(System.getProperty("user.home"), ".cache", "prodlike"));
        try {
            Files.createDirectories(dir);
            if (!ownedByMe(dir)) {
                throw new IllegalStateException("The prodlike cache directory " + dir + " is a symbolic link or"
                        + " belongs to another user, so what it holds cannot be trusted (binaries from it are run).\n"
                        + "Fix: remove it, or set " + ProductionProfile.CACHE_DIR + "=<a directory of your own> in"
                        + " prodlike.properties.");
            }
            if (OsUser.isRoot()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot create the prodlike cache directory " + dir + "; set " + ProductionProfile.CACHE_DIR
                            + "=<a writable directory> in the profile",
                    e);
        }
        return dir.toAbsolutePath();
    }

    /**
     * @param dir a directory
     * @return true when it is a real directory (not a link) owned by the user this JVM runs as
     * @throws IOException when its attributes cannot be read
     */
    public static boolean ownedByMe(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            return false;
        }
        try {
            return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
        } catch (UnsupportedOperationException e) {
            return true;
        }
    }

    /**
     * Makes sure {@code target} exists and holds what it held when saved, building it with {@code builder} under an
     * inter-process lock when it does not. The builder fills a temporary sibling directory that gets a
     * {@link CacheManifest} and is then renamed into place, so a crash never leaves a half-built entry behind. An
     * entry that differs from its manifest (files deleted, truncated or edited since) is removed and built again.
     *
     * @param target  the cache entry
     * @param builder fills the given temporary directory
     * @return true when this call built the entry, false when it was already there
     * @throws Exception what the builder throws
     */
    public static boolean ensure(Path target, DirectoryBuilder builder) throws Exception {
        return ensure(target, builder, line -> {});
    }

    /**
     * Like {@link #ensure(Path, DirectoryBuilder)}, telling {@code rebuilt} when a damaged entry was rebuilt.
     *
     * @param target  the cache entry
     * @param builder fills the given temporary directory
     * @param rebuilt receives one line naming the entry, what was wrong with it, and that it was rebuilt
     * @return true when this call built the entry, false when it was already there intact
     * @throws Exception what the builder throws
     */
    public static boolean ensure(Path target, DirectoryBuilder builder, Consumer<String> rebuilt) throws Exception {
        return ensure(target, builder, rebuilt, path -> true);
    }

    /**
     * Like {@link #ensure(Path, DirectoryBuilder, Consumer)}, comparing size and modification time only of the
     * files {@code statted} selects (all names are compared).
     *
     * @param target  the cache entry
     * @param builder fills the given temporary directory
     * @param rebuilt receives one line naming the entry, what was wrong with it, and that it was rebuilt
     * @param statted see {@link CacheManifest#check(Path, java.util.function.Predicate)}
     * @return true when this call built the entry, false when it was already there intact
     * @throws Exception what the builder throws
     */
    public static boolean ensure(
            Path target, DirectoryBuilder builder, Consumer<String> rebuilt, Predicate<String> statted)
            throws Exception {
        if (Files.isDirectory(target) && CacheManifest.check(target, statted) == null) {
            if (CacheManifest.listingMissing(target)) { // saved by a prodlike that wrote no listing
                withLock(lockOf(target), () -> {
                    CacheManifest.adoptListing(target);
                    return null;
                });
            }
            return false;
        }
        Files.createDirectories(target.getParent());
        return withLock(lockOf(target), () -> {
            String damage = null;
            if (Files.isDirectory(target)) {
                if (CacheManifest.adopt(target)) {
                    return false;
                }
                damage = CacheManifest.check(target, statted);
                if (damage == null) {
                    return false; // built or repaired by another JVM meanwhile
                }
                deleteRecursively(target);
            }
            Path tmp = target.resolveSibling(
                    target.getFileName() + TMP + ProcessHandle.current().pid());
            deleteRecursively(tmp);
            Files.createDirectories(tmp);
            try {
                builder.build(tmp);
                CacheManifest.write(tmp);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
                CacheManifest.writeListing(target);
            } finally {
                deleteRecursively(tmp);
            }
            if (damage != null) {
                rebuilt.accept(damaged(target, damage) + "; rebuilt it");
            }
            return true;
        });
    }

    /** Infix of the temporary directory an entry is built in, followed by the building JVM's pid. */
    public static final String TMP = ".tmp-";

    /**
     * The lock file of a cache entry, kept outside the directory that holds the entry: in {@code <dir>.locks/} beside
     * that directory (for {@code postgres/clusters/16.4-…}, {@code postgres/clusters.locks/16.4-….lock}).
     *
     * <p>Why not beside the entry: a lock is held, with its file open, for as long as the entry is built or copied
     * (initdb: seconds). Every process the JVM starts meanwhile, on any thread, gets a copy of every descriptor the JVM
     * has open: the JDK opens files without {@code O_CLOEXEC} and its launcher ({@code jspawnhelper}) closes the
     * copies only once it runs. Under load that can be many milliseconds later, and a lock file inside the entries'
     * directory then keeps that directory busy after the lock was released, so an unmount or a removal of the
     * directory is refused ("Device or resource busy"; issue 30).
     *
     * @param entry a cache entry
     * @return its lock file
     */
    public static Path lockOf(Path entry) {
        Path dir = entry.getParent();
        return dir.resolveSibling(dir.getFileName() + LOCKS).resolve(entry.getFileName() + ".lock");
    }

    /** Suffix of the directory that holds the lock files of a directory's entries, beside it. */
    public static final String LOCKS = ".locks";

    /**
     * @param entry  a cache entry
     * @param damage what {@link CacheManifest#check} found
     * @return the start of the one line that reports it
     */
    public static String damaged(Path entry, String damage) {
        return "cache entry " + entry + " is not as it was saved (" + damage + ")";
    }

    /**
     * Runs {@code action} while holding an exclusive file lock shared by all JVMs on this machine.
     *
     * @param lockFile the lock file (created if missing)
     * @param action   what to run
     * @param <T>      the result type
     * @return the action's result
     * @throws Exception what the action throws
     */
    @SuppressWarnings("try") // the lock is held by the try block; its variable is not referenced
    public static <T> T withLock(Path lockFile, Callable<T> action) throws Exception {
        Files.createDirectories(lockFile.getParent());
        // File locks are held per JVM, not per thread: threads of one JVM queue on an in-process lock first.
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(lockFile.toAbsolutePath(), k -> new ReentrantLock());
        local.lock();
        try {
            while (true) {
                try (FileChannel channel =
                                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock ignored = lock(channel, lockFile)) {
                    if (!Files.exists(lockFile)) {
                        continue; // its holder deleted it (pruned the entry): lock the new file instead
                    }
                    return action.call();
                }
            }
        } finally {
            local.unlock();
        }
    }

    private static final ConcurrentMap<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();

    /** How long a lock is asked for again while the kernel keeps answering "deadlock". */
    static final Duration DEADLOCK_PATIENCE = Duration.ofMinutes(2);

    /**
     * Locks the whole file, waiting for its holder. POSIX record locks belong to a process, not to a thread, so the
     * kernel's deadlock check sees a cycle where there is none: this JVM holds lock A on one thread and waits for B on
     * another, while another JVM holds B and waits for A. The kernel then refuses with EDEADLK ("Resource deadlock
     * avoided") although the thread holding A will release it. Asking again after a short random pause lets the
     * holders finish; a cycle that persists for {@link #DEADLOCK_PATIENCE} is reported with the file named.
     */
    static FileLock lock(FileChannel channel, Path lockFile) throws IOException {
        long deadline = System.nanoTime() + DEADLOCK_PATIENCE.toNanos();
        while (true) {
            try {
                return channel.lock();
            } catch (IOException e) {
                if (!isDeadlockReport(e)) {
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(
                            "Could not lock " + lockFile + ": the kernel kept reporting a deadlock"
                                    + " between the processes holding prodlike's cache locks for " + DEADLOCK_PATIENCE
                                    + ". Fix: end the other test JVMs using the cache (or give this run its own with"
                                    + " -Dprodlike." + ProductionProfile.CACHE_DIR + "=<a directory>), then run again.",
                            e);
                }
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(5, 50));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + lockFile);
                }
            }
        }
    }

    private static boolean isDeadlockReport(IOException e) {
        String message = e.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("deadlock");
    }

    /**
     * Deletes a directory tree; missing is fine. Symbolic links are removed, never followed.
     *
     * @param dir the tree
     * @throws IOException when something cannot be deleted
     */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Fills a temporary directory that becomes a cache entry. */
    @FunctionalInterface
    public interface DirectoryBuilder {
        /**
         * @param dir an empty directory to fill
         * @throws Exception on failure; the directory is then discarded
         */
        void build(Path dir) throws Exception;
    }
}
