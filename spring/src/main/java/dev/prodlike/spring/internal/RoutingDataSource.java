package dev.prodlike.spring.internal;

import dev.prodlike.internal.CurrentTest;
import dev.prodlike.postgres.TenantDatabase;
import java.io.Closeable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.Wrapper;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.CommonDataSource;
import javax.sql.DataSource;

/**
 * Stands in for the application's {@code DataSource} bean: {@code getConnection()} connects as the app role to the
 * database of the test the calling thread works for ({@link TestRouting}). It implements the interfaces of the bean it
 * replaces (e.g. Hikari's MXBean), whose other calls still reach the original, which never opens a connection.
 */
final class RoutingDataSource implements InvocationHandler {

    private final String beanName;
    private final DataSource original;
    private final TestRouting routing;
    private final ConnectionSettings settings;
    private final Properties driver;
    private final Map<CurrentTest, TestConnections> byTest = new ConcurrentHashMap<>();

    private RoutingDataSource(String beanName, DataSource original, TestRouting routing) {
        this.beanName = beanName;
        this.original = original;
        this.routing = routing;
        this.settings = ConnectionSettings.of(original);
        this.driver = DriverProperties.of(original);
        routing.onEnd(test -> {
            TestConnections connections = byTest.remove(test);
            if (connections != null) {
                connections.close();
            }
        });
    }

    static DataSource wrap(String beanName, DataSource original, TestRouting routing) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(DataSource.class);
        for (Class<?> c = original.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    interfaces.add(i);
                }
            }
        }
        return (DataSource) Proxy.newProxyInstance(
                RoutingDataSource.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new),
                new RoutingDataSource(beanName, original, routing));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        int n = method.getParameterCount();
        switch (name) {
            case "getConnection":
                return connections().get();
            case "unwrap":
                if (n == 1 && ((Class<?>) args[0]).isInstance(proxy)) {
                    if (!ownInterface((Class<?>) args[0])) {
                        // e.g. HikariConfigMXBean: callers such as Actuator's pool metadata then cast to the pool's
                        // class, which this stand-in is not; they treat a refusal as "no pool metadata"
                        throw new SQLException("prodlike's DataSource '" + beanName + "' stands in for the "
                                + original.getClass().getName() + " in tests; its pool is not used");
                    }
                    return proxy;
                }
                break;
            case "isWrapperFor":
                if (n == 1 && ((Class<?>) args[0]).isInstance(proxy)) {
                    return ownInterface((Class<?>) args[0]);
                }
                break;
            case "close":
                if (n == 0) {
                    byTest.values().forEach(TestConnections::close);
                    byTest.clear();
                }
                break;
            case "toString":
                if (n == 0) {
                    return "prodlike DataSource '" + beanName + "' (the current test's database, as the app role;"
                            + " replaces " + original.getClass().getName() + ")";
                }
                break;
            case "equals":
                if (n == 1) {
                    return proxy == args[0];
                }
                break;
            case "hashCode":
                if (n == 0) {
                    return System.identityHashCode(proxy);
                }
                break;
            default:
                break;
        }
        try {
            return method.invoke(original, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** @return whether {@code type} is one of JDBC's own types, not one of the replaced pool's */
    private static boolean ownInterface(Class<?> type) {
        return type == DataSource.class
                || type == CommonDataSource.class
                || type == Wrapper.class
                || type == AutoCloseable.class
                || type == Closeable.class
                || type == Object.class;
    }

    private TestConnections connections() throws SQLException {
        CurrentTest test;
        try {
            test = routing.current("a JDBC connection (DataSource bean '" + beanName + "')");
        } catch (IllegalStateException e) {
            throw new SQLException(e.getMessage(), "08001", e);
        }
        TestConnections connections = byTest.get(test);
        if (connections != null) {
            return connections;
        }
        TenantDatabase database;
        try {
            database = test.resource(CurrentTest.POSTGRES, TenantDatabase.class)
                    .orElseThrow(() -> new SQLException(
                            "The test " + test.name() + " asks the application for a JDBC connection"
                                    + " (DataSource bean '" + beanName + "') but has no prodlike database: annotate its"
                                    + " class @ProductionLikeDatabase.",
                            "08001"));
        } catch (IllegalStateException e) {
            throw new SQLException(e.getMessage(), "08003", e);
        }
        String tenant = test.resource(CurrentTest.TENANT, String.class).orElse(null);
        connections =
                byTest.computeIfAbsent(test, t -> new TestConnections(t.name(), database, tenant, settings, driver));
        if (test.isEnded()) {
            // ended between the lookup and now: its end listener may already have run
            byTest.remove(test);
            connections.close();
        }
        return connections;
    }
}
