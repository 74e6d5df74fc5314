package dev.prodlike.redis;

import org.apiguardian.api.API;

/**
 * Assertions on the keyspace of a test; see {@link RedisAssertions#assertThatCache(RedisEnvironment)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class CacheAssert extends AbstractCacheAssert<CacheAssert, RedisEnvironment> {

    /** @param actual the environment */
    public CacheAssert(RedisEnvironment actual) {
        super(actual, CacheAssert.class);
    }
}
