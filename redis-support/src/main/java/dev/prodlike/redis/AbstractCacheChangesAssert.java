package dev.prodlike.redis;

import dev.prodlike.redis.internal.KeyGlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what an action did to the keys of a test's keyspace. Every failure lists what actually happened, in
 * order.
 *
 * @param <SELF> the assertion type
 * @param <ACTUAL> the changes type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractCacheChangesAssert<
                SELF extends AbstractCacheChangesAssert<SELF, ACTUAL>, ACTUAL extends CacheChanges>
        extends AbstractAssert<SELF, ACTUAL> {

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
            failWithMessage(
                    "%nExpecting the action to invalidate (delete, expire, evict) the keys%n  %s%nbut it did"
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
            failWithMessage(
                    "%nExpecting the action to write the keys%n  %s%nbut it did not write%n  %s%n"
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
            failWithMessage(
                    "%nExpecting the action not to touch the keys%n  %s%nbut it touched%n  %s%n"
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
            failWithMessage(
                    "%nExpecting the action not to change the keyspace but it did, in order:%n%s", actual.describe());
        }
        return myself;
    }

    /**
     * Verifies that every key the action wrote or modified matches {@code glob}, in the glob syntax of Redis'
     * {@code KEYS}: in a multi-tenant service, that a tenant's request caches nothing under a key without its tenant
     * ({@code "acme:*"}), which another tenant's request could read.
     *
     * <pre>{@code
     * assertThatCache(redis).whenRunning(() -> service.findOrder("acme", 42)).wroteOnlyKeysMatching("acme:*");
     * }</pre>
     *
     * @param glob e.g. {@code "acme:*"} or {@code "orders::acme:*"}
     * @return this
     * @throws IllegalArgumentException when the pattern is empty or malformed
     */
    public SELF wroteOnlyKeysMatching(String glob) {
        isNotNull();
        KeyGlob pattern = KeyGlob.of(glob);
        List<String> offending = new ArrayList<>();
        for (String key : writtenKeys()) {
            if (!pattern.matches(key)) {
                offending.add("  \"" + key + "\" written by: " + eventNames(key));
            }
        }
        if (!offending.isEmpty()) {
            failWithMessage(
                    "%nExpecting every key the action wrote to match%n  \"%s\"%nbut these did not:%n%s%n"
                            + "What happened to the keys during the action, in order:%n%s",
                    glob, String.join("%n".formatted(), offending), actual.describe());
        }
        return myself;
    }

    /**
     * Verifies that every key the action wrote or modified has a time to live when the action ends: no cache entry
     * or session that stays until memory runs out. A key written without one fails, and so does a key whose TTL a
     * write removed (a refresh with a plain {@code SET}, which drops the TTL unless it says {@code KEEPTTL} or sets
     * a new one). Keys the action wrote and then deleted pass. Needs the changes recorded by
     * {@link AbstractCacheAssert#whenRunning(Runnable)} or {@link KeyspaceRecorder#record(Runnable)}, which read each
     * written key's TTL when the action ends.
     *
     * @return this
     */
    public SELF everyWrittenKeyExpires() {
        isNotNull();
        Map<String, Long> ttls = actual.ttlsAtEnd()
                .orElseThrow(() -> new IllegalArgumentException(
                        "everyWrittenKeyExpires() needs the TTLs the written keys had when the action ended, which these"
                                + " changes lack (made with new CacheChanges(events, database)); record them with"
                                + " assertThatCache(redis).whenRunning(...) or redis.recorder().record(...)"));
        List<String> offending = new ArrayList<>();
        for (String key : writtenKeys()) {
            Long ttl = ttls.get(key);
            if (ttl != null && ttl == -1) {
                offending.add(
                        "  \"" + key + "\" written by: " + eventNames(key) + "%n    ".formatted() + whyNoExpiry(key));
            }
        }
        if (!offending.isEmpty()) {
            failWithMessage(
                    "%nExpecting every key the action wrote to expire%nbut these have no expiry (PTTL -1) when"
                            + " the action ended:%n%s%nWhat happened to the keys during the action, in order:%n%s",
                    String.join("%n".formatted(), offending), actual.describe());
        }
        return myself;
    }

    private List<String> writtenKeys() {
        List<String> keys = new ArrayList<>();
        for (String key : actual.keys()) {
            if (actual.eventsFor(key).stream().anyMatch(KeyEvent::writesKey)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private String eventNames(String key) {
        List<String> names = new ArrayList<>();
        actual.eventsFor(key).forEach(e -> names.add(e.event()));
        return String.join(", ", names);
    }

    /** @return why a written key ended without expiry: a TTL set and then dropped by a write, or none ever set */
    private String whyNoExpiry(String key) {
        List<KeyEvent> events = actual.eventsFor(key);
        int lastTtl = -1;
        int lastWrite = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind() == KeyEvent.Kind.TTL) {
                lastTtl = i;
            } else if (events.get(i).writesKey()) {
                lastWrite = i;
            }
        }
        if (lastTtl >= 0
                && lastWrite > lastTtl
                && "expire".equals(events.get(lastTtl).event())) {
            return "its expiry was set, then the " + events.get(lastWrite).event() + " after it removed it (a plain"
                    + " SET drops the TTL: write with SET ... KEEPTTL, or EX/PX)";
        }
        if (lastTtl >= 0 && "persist".equals(events.get(lastTtl).event())) {
            return "PERSIST removed its expiry";
        }
        return "no command gave it an expiry (write it with SET ... EX/PX, or EXPIRE it in the same MULTI); if it"
                + " had one before the action, a write without KEEPTTL removed it";
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
