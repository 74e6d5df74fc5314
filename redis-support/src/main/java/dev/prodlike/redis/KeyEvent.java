package dev.prodlike.redis;

import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * One keyspace notification: what happened to which key, e.g. {@code set order:42} or {@code evicted order:43}.
 *
 * <p>{@link #event()} is the event name Redis publishes (see the Redis documentation on keyspace notifications:
 * {@code set}, {@code del}, {@code expire}, {@code expired}, {@code evicted}, {@code hset}, {@code rename_from},
 * ...); {@link #kind()} groups them by what they mean for a cache.
 *
 * @param key   the key
 * @param event the event name as Redis publishes it
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public record KeyEvent(String key, String event) {

    private static final Set<String> AWAY = Set.of("rename_from", "move_from");
    private static final Set<String> TTL = Set.of("expire", "persist");

    /**
     * @param key   the key
     * @param event the event name
     */
    public KeyEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(event, "event");
    }

    /** What an event means for a cache entry. */
    public enum Kind {
        /** The value was written or modified ({@code set}, {@code hset}, {@code incrby}, {@code rename_to}, ...). */
        WRITE,
        /** Deleted by a command ({@code del}, also for UNLINK and for a container whose last element went). */
        DELETE,
        /** Renamed or moved away ({@code rename_from}, {@code move_from}): gone under this name. */
        MOVED_AWAY,
        /** A time to live was set or removed ({@code expire}, {@code persist}); the key is still there. */
        TTL,
        /** Removed because its time to live ran out ({@code expired}). */
        EXPIRED,
        /** Removed by the server to free memory under {@code maxmemory} ({@code evicted}). */
        EVICTED
    }

    /** @return what the event means for a cache entry */
    public Kind kind() {
        switch (event) {
            case "del":
                return Kind.DELETE;
            case "expired":
                return Kind.EXPIRED;
            case "evicted":
                return Kind.EVICTED;
            default:
                if (AWAY.contains(event)) {
                    return Kind.MOVED_AWAY;
                }
                return TTL.contains(event) ? Kind.TTL : Kind.WRITE;
        }
    }

    /** @return true when the key is gone afterwards: deleted, expired, evicted or renamed away */
    public boolean removesKey() {
        Kind k = kind();
        return k == Kind.DELETE || k == Kind.EXPIRED || k == Kind.EVICTED || k == Kind.MOVED_AWAY;
    }

    /** @return true when the key's value was written or modified */
    public boolean writesKey() {
        return kind() == Kind.WRITE;
    }

    /** @return {@code <event> <key>}, e.g. {@code del order:42} */
    @Override
    public String toString() {
        return event + " " + key;
    }
}
