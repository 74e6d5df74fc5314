package dev.prodlike.redis;

import dev.prodlike.redis.internal.RedisLease;
import dev.prodlike.redis.internal.TestSession;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one key of a test's keyspace: existence, time to live, hash fields (sessions, cache entries).
 *
 * @param <SELF> the assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractKeyAssert<SELF extends AbstractKeyAssert<SELF>> extends AbstractAssert<SELF, String> {

    private final RedisEnvironment redis;
    /** The application's commands still in flight when this assertion last read the keyspace (normally 0). */
    private int inFlight;

    /**
     * @param redis    the test's environment
     * @param key      the key
     * @param selfType the assertion type
     */
    protected AbstractKeyAssert(RedisEnvironment redis, String key, Class<?> selfType) {
        super(key, selfType);
        this.redis = redis;
    }

    private RedisCommands<String, String> commands() {
        if (redis == null) {
            throw new IllegalArgumentException(
                    "assertThatKey needs the RedisEnvironment injected by @RedisSession but" + " was: null");
        }
        if (redis instanceof RedisLease session) {
            // What the application already did includes its asynchronous writes (Spring Data Redis 4's cache puts and
            // evictions return before Redis has them): wait for those first.
            inFlight = session.settle();
        }
        return redis.controlCommands();
    }

    /**
     * Verifies that the key exists.
     *
     * @return this
     */
    public SELF exists() {
        isNotNull();
        if (commands().exists(actual) == 0) {
            failWithMessage(
                    "%nExpecting key%n  \"%s\"%nto exist in Redis database %s but it does not.%n%s",
                    actual, redis.database(), keysHint());
        }
        return myself;
    }

    /**
     * Verifies that the key does not exist.
     *
     * @return this
     */
    public SELF doesNotExist() {
        isNotNull();
        RedisCommands<String, String> c = commands();
        if (c.exists(actual) > 0) {
            failWithMessage(
                    "%nExpecting key%n  \"%s\"%nnot to exist in Redis database %s but it does: a %s with %s.",
                    actual, redis.database(), c.type(actual), ttlText(c.pttl(actual)));
        }
        return myself;
    }

    /**
     * Verifies that the key exists and expires, with a remaining time to live from {@code min} to {@code max}
     * (inclusive, millisecond precision). A session or cache entry without expiry fails.
     *
     * @param min the shortest acceptable remaining TTL
     * @param max the longest acceptable remaining TTL
     * @return this
     */
    public SELF hasTtlBetween(Duration min, Duration max) {
        isNotNull();
        if (min.compareTo(max) > 0) {
            throw new IllegalArgumentException("min " + min + " is longer than max " + max);
        }
        long pttl = commands().pttl(actual);
        if (pttl == -2) {
            failWithMessage(
                    "%nExpecting key%n  \"%s\"%nto have a TTL between %s and %s but the key does not exist.%n%s",
                    actual, min, max, keysHint());
        } else if (pttl == -1) {
            failWithMessage(
                    "%nExpecting key%n  \"%s\"%nto have a TTL between %s and %s but it has no expiry"
                            + " (TTL -1): it never expires.",
                    actual, min, max);
        } else {
            Duration ttl = Duration.ofMillis(pttl);
            if (ttl.compareTo(min) < 0 || ttl.compareTo(max) > 0) {
                failWithMessage(
                        "%nExpecting key%n  \"%s\"%nto have a TTL between %s and %s but its TTL is %s.",
                        actual, min, max, ttl);
            }
        }
        return myself;
    }

    /**
     * Verifies that the key is a hash whose {@code field} holds {@code value}.
     *
     * @param field the hash field
     * @param value its expected value
     * @return this
     */
    public SELF hasField(String field, String value) {
        isNotNull();
        RedisCommands<String, String> c = commands();
        String type = c.type(actual);
        if ("none".equals(type)) {
            failWithMessage(
                    "%nExpecting hash%n  \"%s\"%nto have field \"%s\" = \"%s\" but the key does not exist.%n%s",
                    actual, field, value, keysHint());
        } else if (!"hash".equals(type)) {
            failWithMessage(
                    "%nExpecting hash%n  \"%s\"%nto have field \"%s\" = \"%s\" but the key holds a %s, not a"
                            + " hash.",
                    actual, field, value, type);
        } else {
            Map<String, String> all = c.hgetall(actual);
            if (!all.containsKey(field)) {
                failWithMessage(
                        "%nExpecting hash%n  \"%s\"%nto have field \"%s\" = \"%s\" but it has no such field;"
                                + " its fields are:%n  %s",
                        actual, field, value, all);
            } else if (!all.get(field).equals(value)) {
                failWithMessage(
                        "%nExpecting hash%n  \"%s\"%nto have field \"%s\" = \"%s\" but it is \"%s\".",
                        actual, field, value, all.get(field));
            }
        }
        return myself;
    }

    private String keysHint() {
        RedisCommands<String, String> c = redis.controlCommands(); // settled by the check that failed
        long size = c.dbsize();
        String keys;
        if (size == 0) {
            keys = "The database is empty.";
        } else {
            var scan = c.scan(io.lettuce.core.ScanArgs.Builder.limit(20));
            keys = "The database holds " + size + " key(s), e.g. " + scan.getKeys() + ".";
        }
        return inFlight == 0
                ? keys
                : keys + System.lineSeparator() + inFlight + " Redis command(s) of the"
                        + " application were still in flight after waiting " + TestSession.SETTLE_TIMEOUT.toSeconds()
                        + " s for them.";
    }

    private static String ttlText(long pttl) {
        return pttl == -1 ? "no expiry" : "a TTL of " + Duration.ofMillis(pttl);
    }
}
