package dev.prodlike.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The owner's connections to the server's admin database that a {@link ClonePool} creates, drops and checks
 * databases through. They stay open: a new backend per CREATE or DROP costs the server about as much as the DROP.
 * At most one per thread that uses them is ever open.
 */
final class AdminConnections implements AutoCloseable {

    /** Work done on one borrowed connection. */
    @FunctionalInterface
    interface Work<T> {
        T on(Connection c) throws SQLException;
    }

    private final PgServer server;
    /** Open connections not in use right now. */
    private final LinkedBlockingQueue<Connection> idle = new LinkedBlockingQueue<>();

    private final List<Connection> all = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean retired;

    AdminConnections(PgServer server) {
        this.server = server;
    }

    /**
     * Runs work on a pooled connection, the one borrow path. A connection that failed is closed, not returned, and
     * work that failed on a connection opened earlier is retried once on a new one (the server may have dropped
     * idle connections, e.g. an external server's idle timeout).
     */
    <T> T borrow(Work<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            Connection c = idle.poll();
            boolean reused = c != null;
            if (c == null) {
                c = server.ownerConnection(server.adminDatabase());
                all.add(c);
            }
            T result;
            try {
                result = work.on(c);
            } catch (SQLException e) {
                boolean broken = isBroken(c);
                if (broken) {
                    closeQuietly(c);
                } else {
                    giveBack(c);
                }
                if (broken && reused && attempt == 1) {
                    continue;
                }
                throw e;
            }
            giveBack(c);
            return result;
        }
    }

    /** Runs a statement and, when {@code then} is not null, a second one on the same connection. */
    void execute(String sql, String then) throws SQLException {
        borrow(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
                if (then != null) {
                    s.execute(then);
                }
            }
            return null;
        });
    }

    /** @return the first column of the first row of a query with one text parameter, or null without rows */
    String queryText(String sql, String parameter) throws SQLException {
        return borrow(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, parameter);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    private void giveBack(Connection c) {
        if (retired) {
            closeQuietly(c);
        } else {
            idle.add(c);
        }
    }

    private static boolean isBroken(Connection c) {
        try {
            return c.isClosed() || !c.isValid(2);
        } catch (SQLException e) {
            return true;
        }
    }

    private void closeQuietly(Connection c) {
        all.remove(c);
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    /** From now on every connection is closed after use: the pool is ending, what still runs finishes. */
    void retire() {
        retired = true;
    }

    @Override
    public void close() {
        retired = true;
        List<Connection> open;
        synchronized (all) {
            open = new ArrayList<>(all);
        }
        open.forEach(this::closeQuietly);
        idle.clear();
    }
}
