package dev.prodlike.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a cache entry held when it was saved: every directory, file (size and modification time) and link (target),
 * in a {@value #FILE} file inside the entry. Checked before each use, so an entry that lost files, was truncated or
 * edited (OS cleaners of {@code /tmp} delete old files one by one) is rebuilt rather than used.
 *
 * <p>Sizes and times, not contents: one {@code stat} per file costs a few milliseconds for a cluster's ~1,300 files,
 * while reading the 60 MB to checksum them costs more than copying them. A change that keeps both size and
 * modification time (a deliberate {@code touch -r}) is not seen. Where GNU {@code find} exists, the same facts are
 * also saved as its sorted output (next to the entry, {@code <entry>}{@value #LISTING}), and a check that finds them
 * unchanged byte for byte is done without walking the entry in Java; any difference (or no {@code find -printf})
 * falls back to that walk, which names what differs.
 */
public final class CacheManifest {

    /** The manifest's file name inside the entry. */
    public static final String FILE = ".prodlike-manifest";
    /**
     * Suffix of the file next to an entry that holds the same facts as its manifest in the form {@code find} prints
     * them, sorted: where {@code find -printf} exists (GNU), a check first compares a new listing with it byte for
     * byte, without a Java {@code stat} per file. Next to the entry, not in it: a prodlike that does not know the
     * file would take it for an added one.
     */
    public static final String LISTING = ".listing";
    /**
     * Prints the listing of directory $1 (directories by name; files and links by type, size, nanosecond mtime and
     * name), sorted; exits 1 when {@code find} fails or prints nothing (a BSD {@code find} has no {@code -printf}).
     */
    private static final String LIST = "cd \"$1\" || exit 1; out=$(find . -mindepth 1 -name " + FILE
            + " -prune -o -type d -printf 'd %P\\n' -o -printf '%y %s %T@ %P\\n') || exit 1; [ -n \"$out\" ]"
            + " || exit 1; printf '%s\\n' \"$out\" | LC_ALL=C sort";

    private CacheManifest() {}

    /**
     * Records what {@code entry} holds now.
     *
     * @param entry a filled cache entry (or its temporary directory, before it is renamed into place)
     * @throws IOException when the entry cannot be read or the manifest written
     */
    public static void write(Path entry) throws IOException {
        StringBuilder sb = new StringBuilder("# prodlike cache manifest: kind size mtime-ms path\n");
        scan(entry)
                .forEach(
                        (path, line) -> sb.append(line).append(' ').append(path).append('\n'));
        Files.writeString(entry.resolve(FILE), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * Saves the listing next to an entry in place (after {@link #write} and the move into place; call under the
     * entry's lock), where {@code find -printf} and {@code sort} exist; without them there is none.
     *
     * @param entry a cache entry in its final place
     */
    public static void writeListing(Path entry) {
        Path listing = listingOf(entry);
        try {
            Files.deleteIfExists(listing);
            if (!shell(LIST + " > \"$2\"", entry, listing)) {
                Files.deleteIfExists(listing);
            }
        } catch (IOException e) {
            // no listing: checks walk the entry in Java
        }
    }

    /**
     * @param entry a cache entry found intact
     * @return true when it has no listing and one can be made here (GNU {@code find}; not known to fail before)
     */
    public static boolean listingMissing(Path entry) {
        return !noListings && !Files.exists(listingOf(entry));
    }

    /**
     * Saves the listing of an intact entry that has none (one saved by an older prodlike), so later checks take
     * the fast path; call under the entry's lock.
     *
     * @param entry a cache entry found intact
     */
    public static void adoptListing(Path entry) {
        if (Files.isDirectory(entry) && listingMissing(entry)) {
            writeListing(entry);
            if (!Files.exists(listingOf(entry))) {
                noListings = true; // no GNU find here: do not try again in this JVM
            }
        }
    }

    /** Set once making a listing failed: this machine's {@code find} cannot print one. */
    private static volatile boolean noListings;

    /** @return the file next to {@code entry} that holds its listing */
    public static Path listingOf(Path entry) {
        return entry.resolveSibling(entry.getFileName() + LISTING);
    }

    /**
     * @return true when the entry's saved listing and one made now are the same bytes: every name, type, size
     *     and modification time as saved (false when either cannot be had; the caller then checks in Java)
     */
    static boolean listingUnchanged(Path entry) {
        Path listing = listingOf(entry);
        return Files.isRegularFile(listing) && shell(LIST + " | cmp -s - \"$2\"", entry, listing);
    }

    /** @return whether {@code sh -c script} exited 0 with $1 = the entry and $2 = its listing */
    private static boolean shell(String script, Path entry, Path listing) {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(
                            "sh",
                            "-c",
                            script,
                            "prodlike-manifest",
                            entry.toString(),
                            listing.toAbsolutePath().toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Gives an entry saved by an older prodlike (without a manifest) the manifest of what it holds now, so caches
     * shared with older versions keep working instead of being rebuilt; call under the entry's lock.
     *
     * @param entry a cache entry
     * @return true when the entry had no manifest and has one now
     * @throws IOException when the manifest cannot be written
     */
    public static boolean adopt(Path entry) throws IOException {
        if (Files.exists(entry.resolve(FILE))) {
            return false;
        }
        write(entry);
        writeListing(entry);
        return true;
    }

    /**
     * @param entry a cache entry
     * @return null when the entry holds exactly what its manifest lists, else what differs (the first few
     *     differences, e.g. {@code data/PG_VERSION: size 3, saved 8})
     */
    public static String check(Path entry) {
        return check(entry, path -> true);
    }

    /**
     * Checks that every listed directory holds exactly the listed names, and that the files {@code statted}
     * selects have their saved size and modification time. Names are read from the directories without a
     * {@code stat} per file, so files left out of {@code statted} cost next to nothing (a binaries installation's
     * 600 time zone files, say).
     *
     * @param entry   a cache entry
     * @param statted which paths (relative, with {@code /}) to compare by size and modification time
     * @return null when intact, else what differs (the first few differences)
     */
    public static String check(Path entry, Predicate<String> statted) {
        Path file = entry.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return "it has no " + FILE + " (saved by an older prodlike, or the file was deleted)";
        }
        if (listingUnchanged(entry)) {
            return null; // a few milliseconds in find; the Java walk below costs a cold JVM 100 ms and more
        }
        Map<String, String> saved = new HashMap<>(4096);
        List<String> dirs = new ArrayList<>();
        dirs.add("");
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split(" ", 4);
                if (p.length < 4) {
                    return FILE + " is garbled";
                }
                saved.put(p[3], p[0] + " " + p[1] + " " + p[2]);
                if (p[0].equals("d")) {
                    dirs.add(p[3]);
                }
            }
            List<String> differences = new ArrayList<>();
            Set<String> present = new HashSet<>(saved.size() * 2);
            for (String dir : dirs) {
                Path d = dir.isEmpty() ? entry : entry.resolve(dir);
                try (DirectoryStream<Path> names = Files.newDirectoryStream(d)) {
                    for (Path child : names) {
                        String name = (dir.isEmpty() ? "" : dir + "/") + child.getFileName();
                        if (!name.equals(FILE)) {
                            present.add(name);
                        }
                    }
                } catch (NoSuchFileException | NotDirectoryException e) {
                    // reported below as missing (or changed)
                }
            }
            for (Map.Entry<String, String> e : saved.entrySet()) {
                String path = e.getKey();
                if (!present.remove(path)) {
                    differences.add(path + " is missing");
                } else if (!e.getValue().startsWith("d") && statted.test(path)) {
                    String actual = describeNow(entry.resolve(path));
                    if (!actual.equals(e.getValue())) {
                        differences.add(
                                path + " changed (" + describe(actual) + ", saved " + describe(e.getValue()) + ")");
                    }
                }
            }
            present.forEach(extra -> differences.add(extra + " was added"));
            if (differences.isEmpty()) {
                return null;
            }
            Collections.sort(differences);
            return String.join("; ", differences.subList(0, Math.min(3, differences.size())))
                    + (differences.size() > 3 ? " and " + (differences.size() - 3) + " more" : "");
        } catch (IOException e) {
            return "it cannot be read: " + e;
        }
    }

    private static String describeNow(Path p) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return "- 0 0";
        }
        if (attrs.isSymbolicLink()) {
            return "l " + Files.readSymbolicLink(p).toString().length() + " 0";
        }
        if (attrs.isRegularFile()) {
            return "f " + attrs.size() + " " + attrs.lastModifiedTime().toMillis();
        }
        return attrs.isDirectory() ? "d 0 0" : "o 0 0";
    }

    private static String describe(String line) {
        String[] p = line.split(" ");
        return switch (p[0]) {
            case "f" -> "size " + p[1] + ", modified " + Instant.ofEpochMilli(Long.parseLong(p[2]));
            case "l" -> "a link";
            case "d" -> "a directory";
            case "-" -> "gone";
            default -> "a special file";
        };
    }

    private static Map<String, String> scan(Path entry) throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        Files.walkFileTree(entry, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(entry)) {
                    found.put(name(dir), "d 0 0");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = name(file);
                if (name.equals(FILE)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    found.put(
                            name, "l " + Files.readSymbolicLink(file).toString().length() + " 0");
                } else if (attrs.isRegularFile()) {
                    found.put(
                            name,
                            "f " + attrs.size() + " " + attrs.lastModifiedTime().toMillis());
                } else {
                    found.put(name, "o 0 0");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            private String name(Path p) {
                return entry.relativize(p).toString().replace('\\', '/');
            }
        });
        return found;
    }
}
