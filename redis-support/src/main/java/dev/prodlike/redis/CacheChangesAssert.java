package dev.prodlike.redis;

import org.apiguardian.api.API;

/**
 * Assertions on what an action did to the keys of a test's keyspace; see
 * {@link AbstractCacheAssert#whenRunning(Runnable)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class CacheChangesAssert extends AbstractCacheChangesAssert<CacheChangesAssert, CacheChanges> {

    /** @param actual the recorded changes */
    public CacheChangesAssert(CacheChanges actual) {
        super(actual, CacheChangesAssert.class);
    }
}
