package dev.prodlike.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-run working directories under {@code <cache>/runs} (or {@code /dev/shm}), each marked with the process that
 * owns it. A janitor process removes them as soon as the JVM ends, however it ends; the next run can still tell a
 * crashed JVM's leftovers (server processes and data directories) from a live neighbour's.
 */
public final class RunDirectories {

    private static final Logger LOG = LoggerFactory.getLogger(RunDirectories.class);
    private static final String OWNER = "owner";

    private RunDirectories() {}

    /**
     * Creates a fresh run directory owned by this JVM, after removing leftovers of dead JVMs.
     *
     * @param cacheRoot the cache root
     * @param kind      such as {@code postgres} or {@code redis}
     * @return the new directory
     */
    public static Path create(Path cacheRoot, String kind) {
        reapLeftovers(cacheRoot.resolve("runs"));
        reapHalfBuiltEntries(cacheRoot);
        Path memory = memoryBacked();
        if (memory != null) {
            reapLeftovers(memory);
        }
        Path runs = memory != null ? memory : cacheRoot.resolve("runs");
        startJanitor(cacheRoot, memory);
        ProcessHandle self = ProcessHandle.current();
        Path dir = null;
        try {
            Files.createDirectories(runs);
            while (dir == null) {
                // a name no other directory has; no SecureRandom (UUID), whose seeding a cold start would wait for
                Path candidate = runs.resolve(kind + "-" + self.pid() + "-"
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt()));
                try {
                    dir = Files.createDirectory(candidate);
                } catch (FileAlreadyExistsException taken) {
                    // draw again
                }
            }
            Files.writeString(dir.resolve(OWNER), self.pid() + " " + startMillis(self), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a run directory in " + runs, e);
        }
        return dir;
    }

    // $1 memory-backed runs directory (or empty), $2 cache root, $3 this JVM's pid. `read` returns at end-of-file,
    // which only this JVM's end causes: it never closes the pipe. Each server's own watchdog stops it meanwhile.
    // Signals sent to the whole process group (Ctrl-C on Maven) must not end it before it has cleaned up.
    private static final String JANITOR = String.join(
            "\n",
            "trap '' INT TERM HUP",
            "read -r _",
            "for d in ${1:+\"$1\"/*-\"$3\"-*} \"$2\"/runs/*-\"$3\"-*; do",
            "  [ -d \"$d\" ] || continue",
            "  c=$(cat \"$d/child.pid\" 2>/dev/null); n=0",
            "  while [ -n \"$c\" ] && kill -0 \"$c\" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done",
            "  if [ -n \"$c\" ] && kill -0 \"$c\" 2>/dev/null; then kill -9 \"$c\"; fi",
            "  rm -rf \"$d\"",
            "done",
            "find \"$2\" -maxdepth 3 -name \"*" + Cache.TMP + "$3\" -prune -exec rm -rf {} + 2>/dev/null",
            "exit 0");

    /** Janitor processes of this JVM by cache root; held so their pipes stay open until the JVM ends. */
    private static final Map<Path, Process> JANITORS = new ConcurrentHashMap<>();

    /**
     * Starts (once per cache root) a small {@code sh} process that waits for this JVM to end, however it ends
     * ({@code kill -9} included), then removes what the JVM left: its run directories (the servers' data, in
     * {@code /dev/shm} or the cache) once their servers have stopped, and half-built cache entries
     * ({@code *.tmp-<pid>}). A clean end leaves nothing for it to do. Without {@code sh} the next run's
     * {@link #reapLeftovers} removes the same.
     */
    private static void startJanitor(Path cacheRoot, Path memory) {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return;
        }
        if (JANITORS.containsKey(cacheRoot.toAbsolutePath())) {
            return;
        }
        // Started off the caller's thread: spawning a process costs a start tens of milliseconds.
        Thread starter = new Thread(() -> janitor(cacheRoot, memory), "prodlike-janitor-start");
        starter.setDaemon(true);
        starter.start();
    }

    private static void janitor(Path cacheRoot, Path memory) {
        JANITORS.computeIfAbsent(cacheRoot.toAbsolutePath(), root -> {
            try {
                return new ProcessBuilder(
                                "sh",
                                "-c",
                                JANITOR,
                                "prodlike-janitor",
                                memory == null ? "" : memory.toString(),
                                root.toString(),
                                String.valueOf(ProcessHandle.current().pid()))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                LOG.debug("prodlike: no janitor for {}: {}", root, e.toString());
                return null;
            }
        });
    }

    /**
     * Servers' data is throw-away, so it lives in memory when the machine offers a roomy tmpfs ({@code /dev/shm}
     * with at least 2 GiB free; Docker's default 64 MiB does not qualify): copying a cached cluster there takes a
     * tenth of the time it takes on disk.
     *
     * @return the memory-backed runs directory, or null to use the cache on disk
     */
    static Path memoryBacked() {
        Path shm = Paths.get("/dev/shm");
        try {
            if (Files.isDirectory(shm)
                    && Files.isWritable(shm)
                    && Files.getFileStore(shm).getUsableSpace() > (2L << 30)) {
                Path dir = shm.resolve("prodlike-" + System.getProperty("user.name"))
                        .resolve("runs");
                Files.createDirectories(dir);
                if (!Cache.ownedByMe(dir.getParent()) || !Cache.ownedByMe(dir)) {
                    return null; // planted by someone else: use the cache on disk
                }
                Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
                return dir;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        return null;
    }

    /**
     * Removes run directories whose owning JVM is gone: kills any server still running from them (its pid is in
     * {@code child.pid}), then deletes the directory.
     *
     * @param runs the {@code runs} directory
     * @return how many leftovers were removed
     */
    public static int reapLeftovers(Path runs) {
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        int reaped = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs)) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && !ownerAlive(dir)) {
                    killServer(dir);
                    try {
                        Cache.deleteRecursively(dir);
                        reaped++;
                        // prodlike tidying its own files: nothing for the user to do, so not on the console.
                        LOG.debug("removed leftovers of a test run that did not stop cleanly: {}", dir);
                    } catch (IOException e) {
                        Console.warning("could not remove leftover " + dir + ": " + e);
                    }
                }
            }
        } catch (IOException e) {
            Console.warning("could not scan " + runs + " for leftovers: " + e);
        }
        return reaped;
    }

    /**
     * Removes cache entries a dead JVM was building ({@code <entry>.tmp-<pid>}), should its janitor not have run.
     *
     * @param cacheRoot the cache root
     * @return how many were removed
     */
    static int reapHalfBuiltEntries(Path cacheRoot) {
        int reaped = 0;
        Path postgres = cacheRoot.resolve("postgres");
        for (Path parent : List.of(
                postgres, postgres.resolve("clusters"), postgres.resolve("migrated"), cacheRoot.resolve("redis"))) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, "*" + Cache.TMP + "*")) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    try {
                        long pid = Long.parseLong(name.substring(name.lastIndexOf(Cache.TMP) + Cache.TMP.length()));
                        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                            continue;
                        }
                        Cache.deleteRecursively(p);
                        reaped++;
                        LOG.debug("prodlike: removed a cache entry a crashed run left half-built: {}", p);
                    } catch (NumberFormatException | IOException e) {
                        // not ours, or gone meanwhile
                    }
                }
            } catch (IOException e) {
                LOG.debug("prodlike: could not scan {} for half-built entries: {}", parent, e.toString());
            }
        }
        return reaped;
    }

    private static boolean ownerAlive(Path dir) {
        try {
            Path owner = dir.resolve(OWNER);
            if (!Files.exists(owner)) {
                // Being created right now, or very old: leave it unless older than a day.
                return Files.getLastModifiedTime(dir).toMillis() > System.currentTimeMillis() - 86_400_000L;
            }
            String[] parts =
                    Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ");
            Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(parts[0]));
            return handle.isPresent()
                    && handle.get().isAlive()
                    && (parts.length < 2 || Long.parseLong(parts[1]) == startMillis(handle.get()));
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static void killServer(Path dir) {
        Path pidFile = dir.resolve("child.pid");
        if (Files.exists(pidFile)) {
            kill(pidFile);
        }
    }

    private static void kill(Path pidFile) {
        try {
            long pid = Long.parseLong(
                    Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            ProcessHandle.of(pid).ifPresent(h -> {
                String cmd = h.info().command().orElse("");
                if (cmd.contains("postgres") || cmd.contains("redis")) {
                    h.destroy();
                    try {
                        h.onExit().get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // not a pid, or already gone
        }
    }

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(i -> i.toEpochMilli() / 1000).orElse(0L);
    }
}
