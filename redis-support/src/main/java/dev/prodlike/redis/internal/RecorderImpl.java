package dev.prodlike.redis.internal;

import dev.prodlike.redis.CacheChanges;
import dev.prodlike.redis.KeyEvent;
import dev.prodlike.redis.KeyspaceRecorder;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisKeyAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The recorder of one test's keyspace. Its source appends events and sentinel markers in arrival order; a sentinel
 * marks "everything its node notified before this has arrived". In a cluster each node's notifications arrive in that
 * node's order, and all of one key's on one node, so a key's events are in server order; events of keys on different
 * nodes are in arrival order.
 */
final class RecorderImpl implements KeyspaceRecorder, KeyspaceSource.Listener {

    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(dev.prodlike.redis.RedisFaults.MAX_PAUSE_SECONDS + 15);

    private final KeyspaceSource source;
    /** For the TTLs written keys have when an action ends. */
    private final RedisKeyAsyncCommands<String, String> keys;
    /** Waits for the application's asynchronous commands on this database (see {@link InFlightCommands}). */
    private final Runnable settle;

    private final List<Object> stream = new ArrayList<>();
    private int baseline;

    RecorderImpl(KeyspaceSource source, RedisKeyAsyncCommands<String, String> keys, Runnable settle) {
        this.source = source;
        this.keys = keys;
        this.settle = settle;
        source.register(this);
        // Notifications of earlier commands (a previous test in this database) may still be on their way: start
        // after a sentinel.
        baseline = indexAfter(sync());
    }

    @Override
    public synchronized void event(String key, String event) {
        stream.add(new KeyEvent(key, event));
    }

    @Override
    public synchronized void marker(String id) {
        stream.add(new Marker(id));
    }

    /**
     * @return the id of a sentinel published once every command that the code under test issued so far has completed
     *     (its asynchronous writes too), and arrived after all their notifications
     */
    private List<String> sync() {
        settle.run();
        return source.sync(SYNC_TIMEOUT);
    }

    /** @return the index after the last of the sentinels to arrive (the first copy of each counts) */
    private synchronized int indexAfter(List<String> ids) {
        int after = 0;
        for (String id : ids) {
            int first = -1;
            for (int i = 0; i < stream.size() && first < 0; i++) {
                if (stream.get(i) instanceof Marker m && m.id.equals(id)) {
                    first = i;
                }
            }
            if (first < 0) {
                throw new IllegalStateException("sentinel " + id + " not recorded");
            }
            after = Math.max(after, first + 1);
        }
        return after;
    }

    private synchronized List<KeyEvent> between(int from, int to) {
        List<KeyEvent> out = new ArrayList<>();
        for (int i = from; i < to - 1 && i < stream.size(); i++) {
            if (stream.get(i) instanceof KeyEvent e) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public List<KeyEvent> events() {
        int end = indexAfter(sync());
        int from;
        synchronized (this) {
            from = baseline;
        }
        return List.copyOf(between(from, end));
    }

    @Override
    public List<KeyEvent> eventsFor(String key) {
        List<KeyEvent> out = new ArrayList<>();
        for (KeyEvent e : events()) {
            if (e.key().equals(key)) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public void clear() {
        int end = indexAfter(sync());
        synchronized (this) {
            baseline = end;
        }
    }

    @Override
    public CacheChanges record(Runnable action) {
        int start = indexAfter(sync());
        action.run();
        int end = indexAfter(sync());
        List<KeyEvent> events = between(start, end);
        return new CacheChanges(events, source.database(), ttlsOfWrittenKeys(events));
    }

    /**
     * @return PTTL, when the action ended, of every key it wrote: what {@code everyWrittenKeyExpires} judges. Asked in
     *     one pipeline; in a cluster each key goes to the master of its slot.
     */
    private Map<String, Long> ttlsOfWrittenKeys(List<KeyEvent> events) {
        Set<String> written = new LinkedHashSet<>();
        events.stream().filter(KeyEvent::writesKey).forEach(e -> written.add(e.key()));
        Map<String, RedisFuture<Long>> replies = new LinkedHashMap<>();
        written.forEach(k -> replies.put(k, keys.pttl(k)));
        Map<String, Long> ttls = new LinkedHashMap<>();
        long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
        try {
            for (Map.Entry<String, RedisFuture<Long>> r : replies.entrySet()) {
                ttls.put(r.getKey(), r.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the TTLs of the keys the action wrote", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Could not read the TTLs of the keys the action wrote " + written + ": " + e, e);
        }
        return ttls;
    }

    void close() {
        source.unregister(this);
    }

    private record Marker(String id) {}
}
