package dev.prodlike.samples;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions in Redis: a hash {@code session:<id>} with the tenant and subject of the token that opened it, expiring
 * after {@link #IDLE_TIMEOUT} without use (a sliding TTL: every use renews it).
 *
 * <p>Without Redis there are no sessions: opening one fails with {@link IllegalStateException} and a lookup finds
 * nothing, so clients fall back to their bearer token.
 *
 * @since 0.1.0
 */
public final class SessionStore {

    /** How long an unused session lives. */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedisGateway redis;
    private final Clock clock;

    /**
     * @param redis where sessions live
     * @param clock stamps {@code created_at}
     */
    public SessionStore(RedisGateway redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * @param id a session id
     * @return its Redis key
     */
    public static String key(String id) {
        return "session:" + id;
    }

    /**
     * Opens a session for an authenticated caller.
     *
     * @param caller who
     * @return the new session's id
     * @throws IllegalStateException when Redis is unavailable
     */
    public String open(Caller caller) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String key = key(id);
        Boolean stored = redis.call(
                c -> {
                    c.hset(
                            key,
                            Map.of(
                                    "tenant",
                                    caller.tenant(),
                                    "subject",
                                    caller.subject(),
                                    "created_at",
                                    clock.instant().toString()));
                    return c.expire(key, IDLE_TIMEOUT);
                },
                () -> false);
        if (!Boolean.TRUE.equals(stored)) {
            throw new IllegalStateException("sessions are unavailable");
        }
        return id;
    }

    /**
     * Finds a session and renews its idle timeout.
     *
     * @param id a session id
     * @return who it belongs to; empty when unknown, expired, or Redis is unavailable
     */
    public Optional<Caller> use(String id) {
        String key = key(id);
        Map<String, String> fields = redis.call(
                c -> {
                    Map<String, String> found = c.hgetall(key);
                    if (!found.isEmpty()) {
                        c.expire(key, IDLE_TIMEOUT);
                    }
                    return found;
                },
                Map::of);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Caller(fields.get("tenant"), fields.get("subject")));
    }
}
