package dev.prodlike.rls.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A connection pool of exactly one physical app-role connection, scoping tenants the way
 * {@code TenantDatabase.asTenant} does: the setting is set for the session on borrow and RESET on return; like
 * common pools it rolls back an open transaction on return and otherwise keeps the session.
 */
final class PoolOfOne {

    private final Connection physical;
    private final String setting;

    /** @param physical the one app-role connection, in auto-commit mode; the caller closes it */
    PoolOfOne(Connection physical, String setting) {
        this.physical = physical;
        this.setting = setting;
    }

    /** @param tenant the tenant to act as, or null to borrow without one */
    Connection borrow(String tenant) throws SQLException {
        if (tenant != null) {
            try (Statement s = physical.createStatement()) {
                s.execute("SELECT set_config(" + Sql.literal(setting) + ", " + Sql.literal(tenant) + ", false)");
            }
        }
        return (Connection) Proxy.newProxyInstance(PoolOfOne.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        giveBack(tenant != null);
                        return null;
                    }
                    try {
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
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
