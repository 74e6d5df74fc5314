package dev.prodlike.rls.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A connection pool of exactly one physical app-role connection, scoping tenants the way
 * {@code TenantDatabase.asTenant} does: the setting is set for the session on borrow and RESET on return; like
 * common pools it rolls back an open transaction on return and otherwise keeps the session. A lease rather than a
 * {@link java.lang.reflect.Proxy} of {@code Connection}: spinning a proxy class costs a fresh JVM about 10 ms.
 */
final class PoolOfOne {

    private final Connection physical;
    private final String setting;

    /** @param physical the one app-role connection, in auto-commit mode; the caller closes it */
    PoolOfOne(Connection physical, String setting) {
        this.physical = physical;
        this.setting = setting;
    }

    /** A borrowed connection; closing the lease gives the connection back. */
    final class Lease implements AutoCloseable {

        private final boolean scoped;

        private Lease(boolean scoped) {
            this.scoped = scoped;
        }

        /** @return the connection, to use until the lease is closed */
        Connection connection() {
            return physical;
        }

        @Override
        public void close() throws SQLException {
            giveBack(scoped);
        }
    }

    /** @param tenant the tenant to act as, or null to borrow without one */
    Lease borrow(String tenant) throws SQLException {
        if (tenant != null) {
            try (Statement s = physical.createStatement()) {
                s.execute("SELECT set_config(" + SqlValues.literal(setting) + ", " + SqlValues.literal(tenant)
                        + ", false)");
            }
        }
        return new Lease(tenant != null);
    }

    private void giveBack(boolean scoped) throws SQLException {
        if (!physical.getAutoCommit()) {
            physical.rollback();
            physical.setAutoCommit(true);
        }
        if (scoped) {
            try (Statement s = physical.createStatement()) {
                s.execute("RESET " + setting);
            }
        }
    }
}
