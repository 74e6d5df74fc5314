package dev.prodlike.redis;

import org.apiguardian.api.API;

/**
 * Assertions on one key of a test's keyspace; see {@link RedisAssertions#assertThatKey(RedisEnvironment, String)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class KeyAssert extends AbstractKeyAssert<KeyAssert> {

    /**
     * @param redis the test's environment
     * @param key   the key
     */
    public KeyAssert(RedisEnvironment redis, String key) {
        super(redis, key, KeyAssert.class);
    }
}
