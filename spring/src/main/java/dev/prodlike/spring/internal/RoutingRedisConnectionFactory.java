package dev.prodlike.spring.internal;

import dev.prodlike.internal.CurrentTest;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisTopology;
import dev.prodlike.redis.internal.RedisLease;
import dev.prodlike.redis.internal.TestSession;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.Lifecycle;
import org.springframework.context.Phased;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Stands in for the application's Lettuce {@code RedisConnectionFactory}: every connection goes to the logical
 * database of the test the calling thread works for, or to its test cluster when the application is configured for
 * a cluster ({@code spring.data.redis.cluster.nodes}) and the test runs one ({@code redis.topology=cluster}). Each test gets a Lettuce factory of its own, made from the
 * application's client configuration (so it shares the application's {@code ClientResources}: event loops are not
 * rebuilt, only a connection is opened) and closed when the test ends, before its keyspace is handed to another.
 */
final class RoutingRedisConnectionFactory implements InvocationHandler {

    private final String beanName;
    private final LettuceConnectionFactory original;
    private final TestRouting routing;
    private final Map<CurrentTest, TestFactory> byTest = new ConcurrentHashMap<>();

    private RoutingRedisConnectionFactory(String beanName, LettuceConnectionFactory original, TestRouting routing) {
        this.beanName = beanName;
        this.original = original;
        this.routing = routing;
        routing.onEnd(test -> {
            TestFactory factory = byTest.remove(test);
            if (factory != null) {
                factory.close();
            }
        });
    }

    static Object wrap(String beanName, Object bean, TestRouting routing) {
        if (!(bean instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("@RedisSession cannot redirect the application's RedisConnectionFactory"
                    + " bean '" + beanName + "' of type " + bean.getClass().getName() + ": prodlike redirects"
                    + " Lettuce only (spring.data.redis.client-type=lettuce, Spring Boot's default).\nUse Lettuce, or"
                    + " connect the code under test to RedisEnvironment.uri() yourself.");
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(RedisConnectionFactory.class);
        for (Class<?> c = bean.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    interfaces.add(i);
                }
            }
        }
        Object proxy = Proxy.newProxyInstance(
                RoutingRedisConnectionFactory.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new),
                new RoutingRedisConnectionFactory(beanName, lettuce, routing));
        // Replaced for good: release what it may have started now, so that nothing of it is left to close at the end.
        lettuce.destroy();
        return proxy;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Class<?> declaring = method.getDeclaringClass();
        String name = method.getName();
        int n = method.getParameterCount();
        if (declaring == Object.class) {
            return switch (name) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "prodlike RedisConnectionFactory '" + beanName + "' (the current test's logical database)";
            };
        }
        if (declaring == DisposableBean.class || (name.equals("destroy") && n == 0)) {
            byTest.values().forEach(f -> f.factory.destroy());
            byTest.clear();
            return null;
        }
        if (declaring == InitializingBean.class
                || Lifecycle.class.isAssignableFrom(declaring)
                || declaring == Phased.class
                || declaring.getName().startsWith("org.springframework.context.")) {
            // The original was released when it was replaced; the per-test factories live and die with their tests.
            return switch (name) {
                case "isRunning", "isAutoStartup" -> false;
                case "stop" -> {
                    if (n == 1 && args[0] instanceof Runnable callback) {
                        callback.run();
                    }
                    yield null;
                }
                case "getPhase" -> call(original, method, args);
                default -> null;
            };
        }
        TestFactory target = factory();
        Object result = call(target.factory, method, args);
        if (result != null && (name.equals("getReactiveConnection") || name.equals("getReactiveClusterConnection"))) {
            return target.inFlight.track(result);
        }
        return result;
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private TestFactory factory() {
        CurrentTest test = routing.current("a Redis connection (RedisConnectionFactory bean '" + beanName + "')");
        RedisEnvironment redis = test.resource(CurrentTest.REDIS, RedisEnvironment.class)
                .orElseThrow(() -> new IllegalStateException(
                        "The test " + test.name() + " asks the application for a Redis connection" + " (bean '"
                                + beanName + "') but has no prodlike Redis: annotate its class @RedisSession."));
        TestFactory made = byTest.computeIfAbsent(test, k -> {
            LettuceClientConfiguration client = original.getClientConfiguration();
            LettuceConnectionFactory factory = redis.topology() == RedisTopology.CLUSTER
                    ? new LettuceConnectionFactory(cluster(redis, test), client)
                    : new LettuceConnectionFactory(standalone(redis, test), client);
            factory.afterPropertiesSet();
            factory.start();
            InFlightReactiveCommands inFlight = new InFlightReactiveCommands();
            if (redis instanceof RedisLease session) {
                session.track(inFlight); // the test's assertions wait for the application's asynchronous writes
            }
            return new TestFactory(factory, inFlight);
        });
        if (test.isEnded() && byTest.remove(test, made)) {
            made.factory.destroy(); // ended meanwhile: its end listener may already have run
            throw new IllegalStateException("The test " + test.name() + " has ended; its Redis keyspace is gone.");
        }
        return made;
    }

    /**
     * @return the test's cluster, keeping the application's cluster settings (max redirects); the application must be
     *     configured for a cluster, as production is
     */
    private RedisClusterConfiguration cluster(RedisEnvironment redis, CurrentTest test) {
        RedisClusterConfiguration declared = original.getClusterConfiguration();
        if (declared == null) {
            throw new IllegalStateException("The test " + test.name() + " runs against a Redis Cluster ("
                    + "redis.topology=cluster), but the application's RedisConnectionFactory bean '" + beanName
                    + "' is configured for a standalone server, so it would meet CROSSSLOT and MOVED errors it was"
                    + " never written for.\nConfigure the application as production runs it:"
                    + " spring.data.redis.cluster.nodes=host1:port1,host2:port2,... (prodlike points them at the test's"
                    + " cluster), or test against a standalone server: redis.topology=standalone.");
        }
        List<String> nodes = new ArrayList<>();
        redis.nodes().forEach(u -> nodes.add(u.getHost() + ":" + u.getPort()));
        RedisClusterConfiguration cluster = new RedisClusterConfiguration(nodes);
        if (declared.getMaxRedirects() != null) {
            cluster.setMaxRedirects(declared.getMaxRedirects());
        }
        return cluster;
    }

    /** @return the test's logical database; the application must be configured for a standalone server */
    private RedisStandaloneConfiguration standalone(RedisEnvironment redis, CurrentTest test) {
        if (original.getClusterConfiguration() != null) {
            throw new IllegalStateException("The application's RedisConnectionFactory bean '" + beanName + "' is"
                    + " configured for a Redis Cluster (spring.data.redis.cluster.nodes), but the test " + test.name()
                    + " runs against a standalone server.\nDeclare production's topology: redis.topology=cluster in"
                    + " prodlike.properties, or @RedisSession(topology = RedisTopology.CLUSTER).");
        }
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(redis.host(), redis.port());
        server.setDatabase(redis.database());
        return server;
    }

    /** One test's Lettuce factory and the reactive connections it has out. */
    private record TestFactory(LettuceConnectionFactory factory, InFlightReactiveCommands inFlight) {

        /** Lets the application's asynchronous writes complete (bounded), then closes the factory. */
        void close() {
            try {
                inFlight.await(TestSession.SETTLE_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                factory.destroy();
            }
        }
    }
}
