package dev.prodlike.redis.internal;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * {@link RedisCommands} over a cluster connection, for {@code RedisEnvironment.controlCommands()} and the key
 * assertions: both Lettuce interfaces share the key, string, hash, ... command interfaces, so each call goes to the
 * same method of the cluster commands, which route it to the master of the key's slot ({@code KEYS} and
 * {@code DBSIZE} ask every master). A standalone-only command ({@code SELECT}, {@code SWAPDB}, transactions) throws.
 */
final class ClusterCommands {

    private ClusterCommands() {}

    @SuppressWarnings("unchecked")
    static RedisCommands<String, String> over(RedisAdvancedClusterCommands<String, String> cluster) {
        return (RedisCommands<String, String>) Proxy.newProxyInstance(
                ClusterCommands.class.getClassLoader(), new Class<?>[] {RedisCommands.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "RedisCommands over the test cluster's control connection";
                        };
                    }
                    Method target;
                    try {
                        target = RedisAdvancedClusterCommands.class.getMethod(
                                method.getName(), method.getParameterTypes());
                    } catch (NoSuchMethodException e) {
                        throw new UnsupportedOperationException(
                                method.getName() + " is not available in Redis"
                                        + " Cluster mode (controlCommands() of a test cluster); use the cluster commands"
                                        + " injected as RedisAdvancedClusterCommands<String, String>",
                                e);
                    }
                    try {
                        return target.invoke(cluster, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
