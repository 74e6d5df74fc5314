package dev.prodlike.spring.internal;

import dev.prodlike.redis.internal.InFlightCommands;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The reactive connections one test's Lettuce factory handed to the application and that it has not released yet.
 *
 * <p>Spring Data Redis 4 writes cache entries asynchronously (its {@code RedisCacheWriter} does, unless configured with
 * {@code immediateWrites()}): a {@code @Cacheable} put or a {@code @CacheEvict} takes a reactive connection on the
 * caller's thread, sends its command and returns at once; the connection is released ({@code closeLater()}) once Redis
 * has replied. {@code ReactiveRedisTemplate} follows the same pattern. So "no reactive connection out" means "every
 * command the application issued through them has completed", which is what prodlike's Redis assertions wait for
 * before they read the keyspace. A connection used for a subscription ({@code pubSubCommands()}) is long-lived by
 * design and not waited for.
 */
final class InFlightReactiveCommands implements InFlightCommands {

    private int out;

    /**
     * @param connection a reactive connection just handed out
     * @return a stand-in that reports its release
     */
    Object track(Object connection) {
        synchronized (this) {
            out++;
        }
        AtomicBoolean released = new AtomicBoolean();
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = connection.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    interfaces.add(i);
                }
            }
        }
        return Proxy.newProxyInstance(
                InFlightReactiveCommands.class.getClassLoader(),
                interfaces.toArray(Class<?>[]::new),
                (proxy, method, args) -> {
                    String name = method.getName();
                    int n = method.getParameterCount();
                    if (n == 0
                            && (name.equals("close") || name.equals("closeLater") || name.equals("pubSubCommands"))
                            && released.compareAndSet(false, true)) {
                        release();
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (name) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> connection.toString();
                        };
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private synchronized void release() {
        out--;
        if (out == 0) {
            notifyAll();
        }
    }

    @Override
    public synchronized int await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return out;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return 0;
    }
}
