package dev.prodlike.spring.internal;

import java.sql.Connection;
import javax.sql.DataSource;

/**
 * What the application configured on its pool that changes how a connection behaves, kept when prodlike replaces the
 * pool: auto-commit, isolation, read-only, init SQL (Hikari's {@code spring.datasource.hikari.*}).
 */
record ConnectionSettings(boolean autoCommit, int isolation, boolean readOnly, String initSql) {

    static final ConnectionSettings DEFAULTS = new ConnectionSettings(true, -1, false, null);

    static ConnectionSettings of(DataSource original) {
        return HIKARI ? Hikari.settings(original) : DEFAULTS;
    }

    /** Loaded only when HikariCP is on the classpath. */
    private static final class Hikari {
        static ConnectionSettings settings(DataSource original) {
            if (original instanceof com.zaxxer.hikari.HikariConfig h) {
                return new ConnectionSettings(
                        h.isAutoCommit(),
                        isolation(h.getTransactionIsolation()),
                        h.isReadOnly(),
                        h.getConnectionInitSql());
            }
            return DEFAULTS;
        }
    }

    private static final boolean HIKARI = present("com.zaxxer.hikari.HikariConfig");

    private static boolean present(String name) {
        try {
            Class.forName(name, false, ConnectionSettings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static int isolation(String name) {
        if (name == null) {
            return -1;
        }
        return switch (name.replace("TRANSACTION_", "")) {
            case "READ_UNCOMMITTED" -> Connection.TRANSACTION_READ_UNCOMMITTED;
            case "READ_COMMITTED" -> Connection.TRANSACTION_READ_COMMITTED;
            case "REPEATABLE_READ" -> Connection.TRANSACTION_REPEATABLE_READ;
            case "SERIALIZABLE" -> Connection.TRANSACTION_SERIALIZABLE;
            default -> -1;
        };
    }
}
