package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Cache;
import dev.prodlike.internal.OsUser;
import dev.prodlike.internal.SupervisedProcess;
import dev.prodlike.internal.TreeCopy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Where an embedded server's pristine cluster comes from: {@code initdb} run once per binaries and OS user into the
 * cache, verified at every use, and copied into a run directory; and what a failed copy or a full disk says.
 */
final class Clusters {

    static final List<String> INITDB_ARGS =
            List.of("-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--wal-segsize=1");

    private Clusters() {}

    /** The initdb'd cluster of these binaries and OS user, verified (initdb runs again when damaged). */
    static boolean pristine(
            String version, Path install, Path pristine, OsUser user, Path cache, Consumer<String> rebuilt) {
        try {
            return Cache.ensure(pristine, dir -> initdb(version, install, dir, user, cache), rebuilt);
        } catch (ExtensionConfigurationException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("initdb of PostgreSQL " + version + " failed: " + e.getMessage(), e);
        }
    }

    /** Copies the pristine cluster (checked by {@link Cache#ensure} just before) under its lock. */
    static void copyPristine(Path pristine, Path runDir) {
        Path data = runDir.resolve("data");
        try {
            Cache.withLock(Cache.lockOf(pristine), () -> {
                TreeCopy.copyTree(pristine.resolve("data"), data);
                return null;
            });
        } catch (Exception e) {
            throw copyFailed(pristine, data, e);
        }
    }

    static IllegalStateException copyFailed(Path entry, Path data, Exception e) {
        return new IllegalStateException(
                "Could not copy the cached cluster " + entry + " to " + data + ": " + e.getMessage()
                        + diskHint(e.getMessage(), data.getParent()),
                e);
    }

    /** A fix line when {@code message} says the disk is full, else nothing. */
    static String diskHint(String message, Path where) {
        if (message == null || !message.contains("No space left on device")) {
            return "";
        }
        long freeMb = -1;
        try {
            freeMb = Files.getFileStore(Files.exists(where) ? where : where.getParent())
                            .getUsableSpace()
                    >> 20;
        } catch (IOException | RuntimeException ignored) {
            // unknown
        }
        return "\nFix: the disk holding " + where + " is full" + (freeMb >= 0 ? " (" + freeMb + " MB free now)" : "")
                + "; a PostgreSQL cluster needs ~60 MB and each cached one as much again. Free space there, or set "
                + ProductionProfile.CACHE_DIR + "=<a directory on a roomier disk> in prodlike.properties.";
    }

    /**
     * From PostgreSQL 16, initdb's own backends keep their dynamic shared memory in the data directory, as the
     * servers do ({@code EmbeddedPostgres.CLEANUP_SETTINGS}): an initdb that fails (a full disk) would otherwise leave
     * its segments in {@code /dev/shm}. Earlier versions' initdb has no {@code -c}. Not part of the cache key: it
     * changes only a line of postgresql.conf that every server start overrides.
     */
    static List<String> cleanupArgs(String version) {
        int major = Integer.parseInt(version.split("\\.")[0]);
        return major >= 16 ? List.of("-c", "dynamic_shared_memory_type=mmap") : List.of();
    }

    private static void initdb(String version, Path install, Path dir, OsUser user, Path cache) throws Exception {
        Path data = dir.resolve("data");
        if (user != null) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            user.chownTree(dir);
        }
        List<String> command =
                new ArrayList<>(List.of(install.resolve("bin").resolve("initdb").toString(), "-D", data.toString()));
        command.addAll(INITDB_ARGS);
        command.addAll(cleanupArgs(version));
        ProcessBuilder pb = new ProcessBuilder(user == null ? command : user.wrap(command))
                .redirectErrorStream(true)
                .directory(dir.toFile());
        pb.environment().put("LC_ALL", "C");
        Path log = Files.createTempFile("prodlike-initdb", ".log");
        try {
            Process p = pb.redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("initdb did not finish within 5 minutes");
            }
            if (p.exitValue() != 0) {
                String out = SupervisedProcess.tail(log, 20);
                throw new IllegalStateException(
                        "initdb exited " + p.exitValue() + ":\n" + indent(out) + diskHint(out, dir.getParent()));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }
}
