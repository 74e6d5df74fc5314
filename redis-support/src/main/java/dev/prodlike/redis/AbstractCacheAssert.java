package dev.prodlike.redis;

import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the keyspace of a test: run an action and observe what it did to the cache.
 *
 * @param <SELF> the assertion type
 * @param <ACTUAL> the environment type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractCacheAssert<
                SELF extends AbstractCacheAssert<SELF, ACTUAL>, ACTUAL extends RedisEnvironment>
        extends AbstractAssert<SELF, ACTUAL> {

    /**
     * @param actual   the environment
     * @param selfType the assertion type
     */
    protected AbstractCacheAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Runs {@code action} and records what its Redis commands did to the test's keyspace, waiting deterministically
     * until every keyspace notification they caused has arrived (see {@link KeyspaceRecorder}).
     *
     * @param action what to run, typically a call into the service; its Redis commands must have completed when it
     *               returns
     * @return an assertion on the recorded changes
     */
    public CacheChangesAssert whenRunning(Runnable action) {
        isNotNull();
        return new CacheChangesAssert(actual.recorder().record(action));
    }
}
