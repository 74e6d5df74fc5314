package dev.prodlike.redis;

import org.apiguardian.api.API;

/**
 * Entry point of the Redis assertions: cache invalidation observed through keyspace notifications, and key and
 * session checks.
 *
 * <pre>{@code
 * import static dev.prodlike.redis.RedisAssertions.*;
 *
 * assertThatCache(redis).whenRunning(() -> service.rename(42, "x"))
 *         .invalidated("order:42").didNotTouch("order:43");
 * assertThatKey(redis, "session:abc").exists().hasTtlBetween(ofMinutes(29), ofMinutes(30))
 *         .hasField("tenant", "acme");
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class RedisAssertions {

    /** Extend to add your own entry points. */
    protected RedisAssertions() {}

    /**
     * Starts a cache assertion on the keyspace of a test.
     *
     * @param redis the test's environment
     * @return the assertion; call {@link CacheAssert#whenRunning(Runnable)} next
     */
    public static CacheAssert assertThatCache(RedisEnvironment redis) {
        return new CacheAssert(redis);
    }

    /**
     * Starts an assertion on what happened during some action, e.g. from {@link KeyspaceRecorder#record(Runnable)}.
     *
     * @param changes the recorded changes
     * @return the assertion
     */
    public static CacheChangesAssert assertThat(CacheChanges changes) {
        return new CacheChangesAssert(changes);
    }

    /**
     * Starts an assertion on one key of the test's keyspace.
     *
     * @param redis the test's environment
     * @param key   the key
     * @return the assertion
     */
    public static KeyAssert assertThatKey(RedisEnvironment redis, String key) {
        return new KeyAssert(redis, key);
    }
}
