package dev.prodlike.postgres.internal.docker;

import dev.prodlike.internal.Console;
import dev.prodlike.postgres.internal.PgServer;
import dev.prodlike.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * The databases tests get, copied into a tablespace on a tmpfs of the container rather than onto the engine's
 * overlay file system, where each file a copy, a reset or a drop creates or removes costs several times more: on
 * Docker 20.10 over ext4, {@code CREATE DATABASE} of an 8 MB template took 93-110 ms into the kept cluster's directory
 * and 12-19 ms into the tmpfs, the reset's {@code TRUNCATE} 12.5 ms against 3-4 ms.
 *
 * <p>Only for containers that start from a kept migrated cluster ({@link ContainerClusters}): the template and the
 * clones the image holds stay where they are, and the tablespace is made when the first clone is copied (in the
 * background, not before the first test), so no image ever holds it.
 * The tmpfs must belong to the user the server runs as; that is read from the kept cluster's files when it is
 * committed. What a test can see: its database's {@code pg_database.dattablespace}, one more row in
 * {@code pg_tablespace}. Tables, indexes and {@code default_tablespace} are as in production.
 */
final class MemoryClones {

    /** Where the tmpfs is mounted in the container (outside the data directory, as PostgreSQL wants). */
    static final String PATH = "/var/lib/prodlike-clones";
    /** The tablespace's name. */
    static final String TABLESPACE = "prodlike_clones";
    /** How the report names this deliberate difference. */
    static final String DELIBERATE = "test databases in tablespace " + TABLESPACE + " (a tmpfs of the container)";
    /** Why, in the report. */
    static final String WHY = "test speed: copies, resets and drops on tmpfs instead of the engine's overlay file"
            + " system; only pg_database.dattablespace and pg_tablespace show it (docker.clones-in-memory=false keeps"
            + " them in pg_default)";

    private MemoryClones() {}

    /**
     * The engine's memory below which clones stay on disk: a tmpfs may grow to half of it (the kernel's default), and
     * the embedded provider likewise uses {@code /dev/shm} only when it offers more than 2 GB.
     */
    static final long MIN_ENGINE_MEMORY = 4L << 30;

    /**
     * @param dataOwner    {@code uid:gid} of the kept cluster's files, or null
     * @param engineMemory the engine's memory in bytes (its {@code MemTotal}), or null when unknown
     * @return whether a tmpfs can be given to that owner, on an engine with room for it
     */
    static boolean possible(String dataOwner, Long engineMemory) {
        return dataOwner != null
                && dataOwner.matches("\\d+:\\d+")
                && engineMemory != null
                && engineMemory >= MIN_ENGINE_MEMORY;
    }

    /** @return the container's tmpfs mount: {@link #PATH} with its owner's options */
    static Map<String, String> tmpfs(String dataOwner) {
        String[] ids = dataOwner.split(":");
        return Map.of(PATH, "rw,uid=" + ids[0] + ",gid=" + ids[1] + ",mode=0700");
    }

    /**
     * Makes the tablespace in the started container, unless it is there (a container of an earlier run).
     *
     * @return its name, or empty (said why) when it could not be made: the clones then stay in {@code pg_default}
     */
    static Optional<String> create(PgServer server) {
        try (Connection c = server.ownerConnection(server.adminDatabase());
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery("SELECT 1 FROM pg_tablespace WHERE spcname = " + Sql.literal(TABLESPACE))) {
                if (rs.next()) {
                    return Optional.of(TABLESPACE);
                }
            }
            s.execute("CREATE TABLESPACE " + Sql.ident(TABLESPACE) + " LOCATION " + Sql.literal(PATH));
            return Optional.of(TABLESPACE);
        } catch (SQLException e) {
            Console.warning("could not make the tablespace for test databases on the container's tmpfs ("
                    + e.getMessage() + "): they are copied into pg_default, which is slower. Set"
                    + " docker.clones-in-memory=false to stop trying.");
            return Optional.empty();
        }
    }
}
