package dev.prodlike.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Copies directory trees (a cluster's data directory: ~1,700 files, most of them under 8 kB) keeping permissions,
 * times and, when run as root, owners.
 *
 * <p>The copy is a {@code tar} pipe where there is one, {@code cp -a} where there is not, and a Java walk as the last
 * resort. {@code tar} reads and writes each file in one or two calls; {@code cp -a} spends about fifteen system calls
 * per file (extended attributes, {@code copy_file_range}, a buffer mapped and unmapped), which made it three times
 * slower for a cluster copied from a disk into {@code /dev/shm} (230 against 75 ms on an idle two-CPU machine).
 */
public final class TreeCopy {

    private TreeCopy() {}

    /**
     * Copies a directory tree.
     *
     * @param from source tree
     * @param to   target, must not exist
     * @throws IOException on failure; a partial target is removed
     */
    public static void copyTree(Path from, Path to) throws IOException {
        IOException tarFailed = null;
        if (!tarUnusable) {
            try {
                if (tar(from, to)) {
                    return;
                }
            } catch (TarFailed e) {
                // a tar without the options used here (BusyBox's, on Alpine), or a copy that failed: cp -a says which
                tarUnusable = true;
                tarFailed = e;
                Cache.deleteRecursively(to);
            } catch (IOException e) {
                Cache.deleteRecursively(to);
                throw e;
            }
        }
        try {
            if (cp(List.of(from.toString(), to.toString()))) {
                return;
            }
        } catch (IOException e) {
            Cache.deleteRecursively(to);
            if (tarFailed != null) {
                e.addSuppressed(tarFailed);
            }
            throw e;
        }
        walkCopy(from, to);
    }

    /** A tar pipe that ended with an error. */
    private static final class TarFailed extends IOException {
        TarFailed(String message) {
            super(message);
        }
    }

    /** Set once a tar pipe failed in this JVM: later copies go straight to {@code cp -a}. */
    private static volatile boolean tarUnusable;

    /**
     * Copies a directory tree but some of its top-level entries: {@code to} is created with {@code from}'s
     * permissions (and owner, when run as root), and every entry but those named is copied into it, by this JVM. It
     * is meant for the few files left when the many are excluded (a cluster's files around {@code base/}); use
     * {@link #copyTree} for those.
     *
     * @param from   source tree
     * @param to     target, must not exist
     * @param except names of top-level entries to leave out
     * @throws IOException on failure
     */
    public static void copyTreeExcept(Path from, Path to, String... except) throws IOException {
        Set<String> skip = Set.of(except);
        createDirectoryLike(from, to);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(from)) {
            for (Path child : children) {
                if (!skip.contains(child.getFileName().toString())) {
                    names.add(child.getFileName().toString());
                }
            }
        }
        // A handful of entries (a cluster's 79 files around base/): copied by this JVM, which costs less than
        // starting the two processes of a pipe (51-79 against 102-121 ms on a busy two-CPU machine).
        for (String n : names) {
            walkCopy(from.resolve(n), to.resolve(n));
        }
    }

    /**
     * Creates an empty directory with another's permissions (and owner, when run as root).
     *
     * @param like the directory to take permissions and owner from
     * @param to   the directory to create, must not exist
     * @throws IOException on failure
     */
    public static void createDirectoryLike(Path like, Path to) throws IOException {
        Files.createDirectory(to);
        Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(like));
        if (!Files.getOwner(to).equals(Files.getOwner(like))) {
            Files.setOwner(to, Files.getOwner(like));
        }
    }

    /**
     * Pipes {@code tar -c} of a directory into {@code tar -x} in a new one.
     *
     * @return false when there is no {@code tar} to run
     */
    private static boolean tar(Path from, Path to) throws IOException {
        if (!posix() || !OsUser.onPath("tar")) {
            return false;
        }
        createDirectoryLike(from, to);
        // pax, not tar's default format: it keeps modification times to the nanosecond, which a cache entry's
        // manifest compares (whole seconds made every copied entry look damaged).
        List<String> pack = List.of("tar", "--format=pax", "-C", from.toString(), "-cf", "-", ".");
        // -p keeps permissions for every user; ownership is kept by default when run as root.
        List<String> unpack = List.of("tar", "-C", to.toString(), "-xpf", "-");
        Path errors = Files.createTempFile("prodlike-copy", ".txt");
        try {
            List<Process> pipe = ProcessBuilder.startPipeline(List.of(
                    new ProcessBuilder(pack).redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile())),
                    new ProcessBuilder(unpack)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))));
            int packed = pipe.get(0).waitFor();
            int unpacked = pipe.get(1).waitFor();
            if (packed != 0 || unpacked != 0) {
                throw new TarFailed("copying " + from + " to " + to + " failed (" + String.join(" ", pack) + " | "
                        + String.join(" ", unpack) + ", exit " + packed + " | " + unpacked + "): "
                        + Files.readString(errors, StandardCharsets.UTF_8).trim());
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying to " + to, e);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** Runs {@code cp -a} when there is one: args are the sources, then the target. */
    private static boolean cp(List<String> args) throws IOException {
        if (!posix() || !OsUser.onPath("cp")) {
            return false;
        }
        List<String> command = new ArrayList<>(List.of("cp", "-a"));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() == 0) {
                return true;
            }
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying to " + args.get(args.size() - 1), e);
        }
    }

    private static boolean posix() {
        return !System.getProperty("os.name", "").startsWith("Windows");
    }

    private static void walkCopy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                // COPY_ATTRIBUTES keeps microseconds; a cache manifest compares nanoseconds
                if (attrs.isRegularFile()) {
                    Files.setLastModifiedTime(target, attrs.lastModifiedTime());
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
