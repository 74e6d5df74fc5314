package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Console;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Where a {@link ClonePool} copies its template when the server offers the clones a tablespace of their own
 * ({@link PgServer#cloneTablespace}; Docker: one on a tmpfs of the container), and what to do with clones that lie
 * elsewhere.
 */
final class CloneTablespace {

    /** Copies a template into a database: {@code CREATE DATABASE}'s statement and the clause to append. */
    @FunctionalInterface
    interface Copy {
        void into(String tablespaceClause) throws SQLException;
    }

    private final PgServer server;
    /** Clones made before the template was kept: in {@code pg_default}, made way for when they come back. */
    private final Set<String> outside;
    /** {@code TABLESPACE …}, or empty for {@code pg_default}; null until the first copy asks. */
    private volatile String clause;

    CloneTablespace(PgServer server, List<String> seeded) {
        this.server = server;
        this.outside = server.offersCloneTablespace() ? Set.copyOf(seeded) : Set.of();
    }

    /**
     * @return whether a database that comes back is better dropped than handed on: it lies outside the clones'
     *     tablespace (one of the kept cluster's clones), and another database is ready for the next test
     */
    boolean makesWayFor(String name, boolean anotherReady) {
        return anotherReady && outside.contains(name);
    }

    /**
     * Copies the template into the clones' tablespace (made on the first call); if that fails (the tmpfs is full,
     * the tablespace gone), says so once and copies into {@code pg_default}, as every later copy does.
     */
    void copy(Copy copy) throws SQLException {
        if (clause == null) {
            clause = server.cloneTablespace()
                    .map(t -> " TABLESPACE " + Sql.ident(t))
                    .orElse("");
        }
        String into = clause;
        try {
            copy.into(into);
        } catch (SQLException e) {
            if (into.isEmpty()) {
                throw e;
            }
            clause = "";
            Console.warning("could not copy the template into" + into + " (" + e.getMessage()
                    + "); copying into pg_default from now on, which is slower");
            copy.into("");
        }
    }
}
