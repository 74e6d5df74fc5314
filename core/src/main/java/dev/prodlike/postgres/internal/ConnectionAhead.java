package dev.prodlike.postgres.internal;

import dev.prodlike.internal.net.TcpProxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A connection as the app role to a ready clone, opened before any test took the clone, with the network proxy it
 * goes through: the test that takes the clone takes the proxy as its own, and the connection when its application
 * asks for one with the same driver settings ({@link TestDatabase#takeConnectionAhead}).
 *
 * @param proxy      the clone's test's proxy to be, or null with {@code network.proxy=off}
 * @param connection open, set aside in the proxy's statistics
 * @param driver     the PgJDBC properties it was opened with
 */
record ConnectionAhead(TcpProxy proxy, Connection connection, Properties driver) {

    /** Closes the connection and the proxy: nobody took them. */
    static void closeQuietly(ConnectionAhead ahead) {
        if (ahead == null) {
            return;
        }
        try {
            ahead.connection.close();
        } catch (SQLException ignored) {
            // its database is dropped or handed on; the backend leaves either way
        }
        if (ahead.proxy != null) {
            ahead.proxy.close();
        }
    }
}
