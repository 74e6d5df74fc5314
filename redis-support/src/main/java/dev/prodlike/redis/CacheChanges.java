package dev.prodlike.redis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * What happened to the keys of a test's keyspace during some action, in the order Redis did it.
 *
 * <p>Obtained from {@link KeyspaceRecorder#record(Runnable)}; asserted on through
 * {@link RedisAssertions#assertThatCache(RedisEnvironment)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class CacheChanges {

    private final List<KeyEvent> events;
    private final int database;
    private final Map<String, Long> ttlsAtEnd;

    /**
     * Changes without the TTLs at the end of the action: {@code everyWrittenKeyExpires()} cannot judge them.
     *
     * @param events   the events, in order
     * @param database the logical database they happened in
     */
    public CacheChanges(List<KeyEvent> events, int database) {
        this(events, database, null);
    }

    /**
     * @param events    the events, in order
     * @param database  the logical database they happened in
     * @param ttlsAtEnd for every key written, its remaining time to live in ms when the action ended, as PTTL
     *                  answers ({@code -1}: no expiry, {@code -2}: gone); null when unknown
     * @since 0.1.0
     */
    public CacheChanges(List<KeyEvent> events, int database, Map<String, Long> ttlsAtEnd) {
        this.events = List.copyOf(events);
        this.database = database;
        this.ttlsAtEnd = ttlsAtEnd == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(ttlsAtEnd));
    }

    /**
     * @return for every key the action wrote, its remaining time to live in ms when the action ended, as PTTL answers
     *     ({@code -1}: the key has no expiry, {@code -2}: it is gone), in order of first write; empty when unknown
     *     (changes made with {@link #CacheChanges(List, int)})
     */
    public Optional<Map<String, Long>> ttlsAtEnd() {
        return Optional.ofNullable(ttlsAtEnd);
    }

    /** @return all events, in order */
    public List<KeyEvent> events() {
        return events;
    }

    /**
     * @param key a key
     * @return the events of that key, in order
     */
    public List<KeyEvent> eventsFor(String key) {
        List<KeyEvent> out = new ArrayList<>();
        for (KeyEvent e : events) {
            if (e.key().equals(key)) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the keys that had events, in order of first event */
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        events.forEach(e -> keys.add(e.key()));
        return Collections.unmodifiableSet(keys);
    }

    /** @return the logical database the events happened in */
    public int database() {
        return database;
    }

    /**
     * @return the events as numbered lines, e.g. {@code "  1. del order:42"}, or a note that there were none
     */
    public String describe() {
        if (events.isEmpty()) {
            return "  (no key events: nothing was written, deleted, expired or evicted in database " + database + ")";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append("  ").append(i + 1).append(". ").append(events.get(i));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "CacheChanges" + events;
    }
}
