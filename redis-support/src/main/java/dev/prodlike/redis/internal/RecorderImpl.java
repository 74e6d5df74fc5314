package dev.prodlike.redis.internal;

import dev.prodlike.redis.CacheChanges;
import dev.prodlike.redis.KeyEvent;
import dev.prodlike.redis.KeyspaceRecorder;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder of one test's database. The hub appends events and sentinel markers in arrival order; a sentinel
 * marks "everything before this has arrived".
 */
final class RecorderImpl implements KeyspaceRecorder {

    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(dev.prodlike.redis.RedisFaults.MAX_PAUSE_SECONDS + 15);

    private final KeyspaceHub hub;
    private final int db;
    private final RedisCommands<String, String> publisher;
    /** Waits for the application's asynchronous commands on this database (see {@link InFlightCommands}). */
    private final Runnable settle;
    private final List<Object> stream = new ArrayList<>();
    private int baseline;

    RecorderImpl(KeyspaceHub hub, int db, RedisCommands<String, String> publisher, Runnable settle) {
        this.hub = hub;
        this.db = db;
        this.publisher = publisher;
        this.settle = settle;
        hub.register(db, this);
        // Notifications of earlier commands (a previous test in this database) may still be on their way: start
        // after a sentinel.
        baseline = indexAfter(sync());
    }

    synchronized void event(String key, String event) {
        stream.add(new KeyEvent(key, event));
    }

    synchronized void marker(String id) {
        stream.add(new Marker(id));
    }

    /**
     * @return the id of a sentinel published once every command that the code under test issued so far has completed
     *     (its asynchronous writes too), and arrived after all their notifications
     */
    private String sync() {
        settle.run();
        return hub.sync(db, publisher, SYNC_TIMEOUT);
    }

    private synchronized int indexAfter(String id) {
        for (int i = stream.size() - 1; i >= 0; i--) {
            if (stream.get(i) instanceof Marker m && m.id.equals(id)) {
                // the first copy counts when a sentinel was published twice
                int first = i;
                for (int j = i - 1; j >= 0; j--) {
                    if (stream.get(j) instanceof Marker n && n.id.equals(id)) {
                        first = j;
                    }
                }
                return first + 1;
            }
        }
        throw new IllegalStateException("sentinel " + id + " not recorded");
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
        return new CacheChanges(between(start, end), db);
    }

    void close() {
        hub.unregister(db, this);
    }

    private record Marker(String id) {
    }
}
