package dev.prodlike.redis;

import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

import java.util.ArrayList;
import java.util.List;

/**
 * Assertions on what an action did to the keys of a test's keyspace. Every failure lists what actually happened, in
 * order.
 *
 * @param <SELF> the assertion type
 * @param <ACTUAL> the changes type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractCacheChangesAssert<SELF extends AbstractCacheChangesAssert<SELF, ACTUAL>,
        ACTUAL extends CacheChanges> extends AbstractAssert<SELF, ACTUAL> {

    /**
     * @param actual   the recorded changes
     * @param selfType the assertion type
     */
    protected AbstractCacheChangesAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Verifies that each key was removed: deleted, expired, evicted or renamed away. A key that was only overwritten
     * was not invalidated (use {@link #wrote(String...)} for write-through caches).
     *
     * @param keys the keys
     * @return this
     */
    public SELF invalidated(String... keys) {
        isNotNull();
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            if (actual.eventsFor(key).stream().noneMatch(KeyEvent::removesKey)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            failWithMessage("%nExpecting the action to invalidate (delete, expire, evict) the keys%n  %s%nbut it did"
                    + " not invalidate%n  %s%nWhat happened to the keys during the action, in order:%n%s",
                    quote(keys), quote(missing), actual.describe());
        }
        return myself;
    }

    /**
     * Verifies that each key was written or modified ({@code set}, {@code hset}, {@code incrby}, ...).
     *
     * @param keys the keys
     * @return this
     */
    public SELF wrote(String... keys) {
        isNotNull();
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            if (actual.eventsFor(key).stream().noneMatch(KeyEvent::writesKey)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            failWithMessage("%nExpecting the action to write the keys%n  %s%nbut it did not write%n  %s%n"
                    + "What happened to the keys during the action, in order:%n%s",
                    quote(keys), quote(missing), actual.describe());
        }
        return myself;
    }

    /**
     * Verifies that nothing at all happened to each key: no write, delete, TTL change, expiry or eviction.
     *
     * @param keys the keys
     * @return this
     */
    public SELF didNotTouch(String... keys) {
        isNotNull();
        List<String> touched = new ArrayList<>();
        for (String key : keys) {
            if (!actual.eventsFor(key).isEmpty()) {
                touched.add(key);
            }
        }
        if (!touched.isEmpty()) {
            failWithMessage("%nExpecting the action not to touch the keys%n  %s%nbut it touched%n  %s%n"
                    + "What happened to the keys during the action, in order:%n%s",
                    quote(keys), quote(touched), actual.describe());
        }
        return myself;
    }

    /**
     * Verifies that the action caused no key event at all: a pure cache hit, for example.
     *
     * @return this
     */
    public SELF touchedNothing() {
        isNotNull();
        if (!actual.events().isEmpty()) {
            failWithMessage("%nExpecting the action not to change the keyspace but it did, in order:%n%s",
                    actual.describe());
        }
        return myself;
    }

    private static String quote(String... keys) {
        return quote(List.of(keys));
    }

    private static String quote(List<String> keys) {
        List<String> q = new ArrayList<>();
        keys.forEach(k -> q.add("\"" + k + "\""));
        return q.toString();
    }
}
