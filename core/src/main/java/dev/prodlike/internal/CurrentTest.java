package dev.prodlike.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test running on this thread and the prodlike resources it has, for integrations that do not see JUnit's
 * {@link ExtensionContext} (the Spring module's application context follows it).
 *
 * <p>Each prodlike extension calls {@link #enter(ExtensionContext)} with the test method's context as early as JUnit
 * allows (before the test instance is constructed, and again before each test) and {@link #provide provides} its
 * resource lazily: nothing is provisioned unless someone asks. The binding lives in the test's Store and is undone
 * when JUnit closes it, after every {@code @AfterEach} callback.
 *
 * <p>Not API: may change in any release.
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public final class CurrentTest implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    /** Resource name of the PostgreSQL test database ({@code dev.prodlike.postgres.internal.TestDatabase}). */
    public static final String POSTGRES = "postgres";
    /** Resource name of the Redis test session ({@code dev.prodlike.redis.RedisEnvironment}). */
    public static final String REDIS = "redis";
    /** Resource name of the JWT issuer ({@code dev.prodlike.jwt.TestTokens}) that overrides the class's own. */
    public static final String JWT_TOKENS = "jwt.tokens";
    /** Resource name of the tenant of {@code @TenantContext} ({@link String}). */
    public static final String TENANT = "tenant";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CurrentTest.class);
    private static final ThreadLocal<CurrentTest> THREAD = new ThreadLocal<>();

    private final String uniqueId;
    private final String name;
    private final Thread thread;
    private final Map<String, Supplier<?>> resources = new ConcurrentHashMap<>();
    private final Map<String, Object> computed = new ConcurrentHashMap<>();
    private volatile boolean ended;
    private final List<Runnable> endActions = new CopyOnWriteArrayList<>();

    private CurrentTest(ExtensionContext context) {
        this.uniqueId = context.getUniqueId();
        this.name = context.getRequiredTestClass().getSimpleName() + "."
                + context.getRequiredTestMethod().getName();
        this.thread = Thread.currentThread();
    }

    /**
     * Binds the test of {@code context} to this thread (once per test; later calls return the same binding).
     *
     * @param context a test method's context; class contexts are ignored
     * @return the binding, or empty for a class context
     */
    @SuppressWarnings("deprecation") // computeIfAbsent exists only from 5.13 on; this works on every 5.x and 6.x
    public static Optional<CurrentTest> enter(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return Optional.empty();
        }
        CurrentTest test = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(context.getUniqueId(), k -> new CurrentTest(context), CurrentTest.class);
        if (!test.ended) {
            THREAD.set(test);
        }
        return Optional.of(test);
    }

    /**
     * Binds this test to the calling thread, a worker doing the test's own work (a bounded call of an assertion),
     * so that integrations route it as they route the test's thread; {@link #leaveThisThread()} undoes it.
     */
    public void adoptOnThisThread() {
        if (!ended) {
            THREAD.set(this);
        }
    }

    /** Undoes {@link #adoptOnThisThread()}. */
    public static void leaveThisThread() {
        THREAD.remove();
    }

    /** @return the test running on this thread, if a prodlike extension bound one */
    public static Optional<CurrentTest> onThisThread() {
        CurrentTest test = THREAD.get();
        return test == null || test.ended ? Optional.empty() : Optional.of(test);
    }

    /**
     * Offers a resource of this test, computed at most once on first {@link #resource} call.
     *
     * @param resource one of the names above
     * @param supplier computes it
     */
    public void provide(String resource, Supplier<?> supplier) {
        resources.putIfAbsent(resource, supplier);
    }

    /**
     * Sets a resource, replacing one provided before.
     *
     * @param resource one of the names above
     * @param value the value
     */
    public void put(String resource, Object value) {
        computed.put(resource, value);
    }

    /**
     * @param resource one of the names above
     * @param type its type
     * @param <T> its type
     * @return the resource, computing it on first use; empty if nobody provides it
     * @throws IllegalStateException once the test has ended
     */
    public <T> Optional<T> resource(String resource, Class<T> type) {
        if (ended) {
            throw new IllegalStateException(name + " has ended; its " + resource + " is gone");
        }
        Object value = computed.get(resource);
        if (value == null) {
            Supplier<?> supplier = resources.get(resource);
            if (supplier == null) {
                return Optional.empty();
            }
            value = computed.computeIfAbsent(resource, k -> supplier.get());
        }
        return Optional.of(type.cast(value));
    }

    /** @return whether someone provides {@code resource} */
    public boolean provides(String resource) {
        return computed.containsKey(resource) || resources.containsKey(resource);
    }

    /** @return the test's JUnit unique id */
    public String uniqueId() {
        return uniqueId;
    }

    /** @return {@code Class.method} of the test */
    public String name() {
        return name;
    }

    /** @return the thread that runs the test */
    public Thread thread() {
        return thread;
    }

    /** @return whether the test has ended */
    public boolean isEnded() {
        return ended;
    }

    /**
     * Runs {@code action} when the test ends (at once if it has): what a test started and may forget, such as a
     * network fault, ends with it.
     *
     * @param action the action; its failures are ignored
     */
    public void onEnd(Runnable action) {
        endActions.add(action);
        if (ended && endActions.remove(action)) {
            action.run();
        }
    }

    @Override
    public void close() {
        ended = true;
        for (Runnable action : endActions) {
            if (endActions.remove(action)) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(CurrentTest.class).debug("{}: ending {}", name, action, e);
                }
            }
        }
        if (THREAD.get() == this) {
            THREAD.remove();
        }
    }

    @Override
    public String toString() {
        return name + " on " + thread.getName();
    }
}
