package dev.prodlike.redis;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Records what happens to the keys of a test's keyspace, from Redis keyspace notifications: writes, deletes, TTL
 * changes, expirations and evictions, in the order the server performed them.
 *
 * <pre>{@code
 * CacheChanges changes = redis.recorder().record(() -> service.rename(42, "x"));
 * assertThat(changes.eventsFor("order:42")).extracting(KeyEvent::event).containsExactly("del");
 * }</pre>
 *
 * <p>Every method that returns events first waits until all notifications caused by commands that completed before
 * the call have arrived (a sentinel message is published and awaited), so results are deterministic without sleeps.
 * Work that the action leaves running in the background after it returns is not waited for; join it inside the
 * action. Expirations are reported when Redis actually removes the key, which may be later than the TTL.
 *
 * <p>In cluster mode every master is recorded: one key's events are in the order its master performed them, events
 * of keys on different masters in the order they arrived.
 *
 * <p>Recording starts at the first call of {@link RedisEnvironment#recorder()} in a test. Thread-safe.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface KeyspaceRecorder {

    /** @return every event since recording started or since the last {@link #clear()} */
    List<KeyEvent> events();

    /**
     * @param key a key
     * @return the events of that key since recording started or since the last {@link #clear()}
     */
    List<KeyEvent> eventsFor(String key);

    /** Forgets the events recorded so far. */
    void clear();

    /**
     * Runs {@code action} and returns exactly the events its Redis commands caused.
     *
     * @param action what to run; its Redis commands must have completed when it returns
     * @return the events, in order
     */
    CacheChanges record(Runnable action);
}
