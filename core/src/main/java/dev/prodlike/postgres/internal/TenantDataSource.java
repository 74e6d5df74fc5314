package dev.prodlike.postgres.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Connections as the app role that carry the tenant setting for their whole session, from the test's app-role
 * DataSource ({@link AppSessions}: the first may be the session opened ahead or left by an earlier test, reset as
 * new). Closing one resets the setting (and rolls back an open transaction) before the connection closes or stays
 * for the next test, so a tenant never carries over. A pool wrapped around this DataSource keeps physical connections open and so keeps
 * their tenant: production code should set the tenant per transaction ({@code set_config(..., true)}) instead.
 * {@code unwrap} reaches the driver's connection, which bypasses the reset.
 */
final class TenantDataSource implements DataSource {

    private final DataSource delegate;
    private final String setting;
    private final String tenant;

    TenantDataSource(DataSource delegate, String setting, String tenant) {
        this.delegate = delegate;
        this.setting = setting;
        this.tenant = tenant;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return scope(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return scope(delegate.getConnection(username, password));
    }

    private Connection scope(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT set_config(?, ?, false)")) {
            ps.setString(1, setting);
            ps.setString(2, tenant);
            ps.execute();
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0 && !connection.isClosed()) {
                try {
                    if (!connection.getAutoCommit()) {
                        connection.rollback();
                    }
                    try (Statement s = connection.createStatement()) {
                        s.execute("RESET " + setting);
                    }
                } catch (SQLException ignored) {
                    // a broken connection carries nothing anywhere
                }
            }
            if (method.getName().equals("toString") && method.getParameterCount() == 0) {
                return "Connection[" + setting + "=" + tenant + "] " + connection;
            }
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(
                TenantDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "DataSource[" + setting + "=" + tenant + "]";
    }
}
