package dev.prodlike.postgres.internal;

import java.sql.SQLException;

/**
 * The application's session that a test left in its database ({@link TestDatabase#park}): reset with
 * {@code DISCARD ALL}, its statistics flushed, its network proxy with it. When the pool hands the database on, the
 * next test that takes the database gets it as its connection opened ahead: a backend whose caches already hold the
 * database's tables, instead of a new one (a new backend costs 10-40 ms and builds every cache entry again). When
 * the database is dropped, it is closed first.
 *
 * @param ahead   the connection and the proxy it goes through, as the next test takes them
 * @param backend its backend's process id, which the reuse check leaves out of the database's connections
 */
record ParkedSession(ConnectionAhead ahead, int backend) {

    /** Closes the session's connection and leaves its proxy open: the test that parked it may still use the proxy. */
    void closeConnectionQuietly() {
        try {
            ahead.connection().close();
        } catch (SQLException ignored) {
            // gone already; the proxy closes its link when it closes
        }
    }

    static void closeQuietly(ParkedSession parked) {
        if (parked != null) {
            ConnectionAhead.closeQuietly(parked.ahead());
        }
    }
}
