package dev.prodlike.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pattern subscription per server to keyspace notifications ({@code __keyspace@<db>__:<key>}), dispatched to the
 * recorder of the test that holds that database.
 *
 * <p>Waiting is deterministic: to learn that every notification caused so far has arrived, a sentinel message is
 * PUBLISHed into the same channel space. Redis executes commands one at a time and delivers the messages of one
 * subscriber in order, so when the sentinel arrives, every notification of every command that completed before it was
 * published has arrived too. No sleeping, no polling of the keyspace.
 */
final class KeyspaceHub implements AutoCloseable {

    /** Key-name prefix of sentinel messages; never a real key. */
    static final String SENTINEL = "__prodlike:sentinel:";

    static final String CLIENT_NAME = "prodlike-recorder";
    static final String CONTROL_NAME = "prodlike-control";

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<Integer, KeyspaceSource.Listener> recorders = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Integer, Watch> watches = new ConcurrentHashMap<>();

    /**
     * Watches an idle database for writes. Armed when the notification of its own sentinel write arrives: every
     * command executed after that write notifies after it, so any later notification for the database means it was
     * written after the sentinel.
     */
    static final class Watch {
        final String id;
        volatile boolean armed;
        volatile boolean dirty;
        /** Completes when the watch is armed (its sentinel's notification arrived). */
        final CompletableFuture<Void> armedSignal = new CompletableFuture<>();

        Watch(String id) {
            this.id = id;
        }
    }

    KeyspaceHub(RedisClient client, RedisURI base, String pattern) {
        RedisURI uri = RedisURI.builder(base)
                .withDatabase(0)
                .withClientName(CLIENT_NAME)
                .build();
        connection = client.connectPubSub(uri);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String p, String channel, String message) {
                dispatch(channel, message);
            }
        });
        connection.sync().psubscribe(pattern);
    }

    private void dispatch(String channel, String event) {
        // __keyspace@<db>__:<key>
        int at = channel.indexOf('@');
        int end = channel.indexOf("__:", at);
        if (at < 0 || end < 0) {
            return;
        }
        int db;
        try {
            db = Integer.parseInt(channel.substring(at + 1, end));
        } catch (NumberFormatException e) {
            return;
        }
        String key = channel.substring(end + 3);
        Watch watch = watches.get(db);
        if (watch != null) {
            if (key.equals(SENTINEL + watch.id)) {
                // its own sentinel (set, then deleted by the flush): arms the watch on its first event
                watch.armed = true;
                watch.armedSignal.complete(null);
            } else if (watch.armed && !key.startsWith(SENTINEL)) {
                watch.dirty = true;
            }
        }
        KeyspaceSource.Listener recorder = recorders.get(db);
        if (key.startsWith(SENTINEL)) {
            String id = key.substring(SENTINEL.length());
            if (recorder != null) {
                recorder.marker(id);
            }
            CompletableFuture<Void> f = waiting.get(id);
            if (f != null) {
                f.complete(null);
            }
        } else if (recorder != null) {
            recorder.event(key, event);
        }
    }

    /** @param db an idle database @return a new watch of it (replacing any earlier one) */
    Watch watch(int db) {
        Watch w = new Watch("w" + ids.incrementAndGet());
        watches.put(db, w);
        return w;
    }

    /** @param db a database @return its current watch, or null (it stays watched) */
    Watch watching(int db) {
        return watches.get(db);
    }

    /** @param db a database being leased @return its watch, or null; it is watched no longer */
    Watch unwatch(int db) {
        return watches.remove(db);
    }

    /** Forgets every watch: notifications may have been lost (a disconnect, a restart). */
    void invalidateWatches() {
        watches.values().forEach(w -> w.dirty = true);
    }

    /** @return true while the subscription's connection is open */
    boolean connected() {
        return connection.isOpen();
    }

    /** @return the subscription's connection, to recognise it in connection events */
    Object connection() {
        return connection;
    }

    /**
     * @param db        a leased database
     * @param publisher prodlike's own connection to it, to publish sentinels with
     * @return the notifications of that database, for its test's recorder
     */
    KeyspaceSource source(int db, RedisCommands<String, String> publisher) {
        return new KeyspaceSource() {
            @Override
            public void register(Listener recorder) {
                KeyspaceHub.this.register(db, recorder);
            }

            @Override
            public void unregister(Listener recorder) {
                KeyspaceHub.this.unregister(db, recorder);
            }

            @Override
            public List<String> sync(Duration timeout) {
                return List.of(KeyspaceHub.this.sync(db, publisher, timeout));
            }

            @Override
            public int database() {
                return db;
            }
        };
    }

    void register(int db, KeyspaceSource.Listener recorder) {
        recorders.put(db, recorder);
    }

    void unregister(int db, KeyspaceSource.Listener recorder) {
        recorders.remove(db, recorder);
    }

    /**
     * Publishes a sentinel into database {@code db}'s channel space and waits until it comes back.
     *
     * @param db        the database
     * @param publisher a connection to publish with
     * @param timeout   how long in total
     * @return the sentinel's id
     */
    String sync(int db, RedisCommands<String, String> publisher, Duration timeout) {
        String id = Long.toString(ids.incrementAndGet());
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        waiting.put(id, arrived);
        String channel = "__keyspace@" + db + "__:" + SENTINEL + id;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    publisher.publish(channel, "sentinel");
                } catch (io.lettuce.core.RedisException e) {
                    // Right after an outage a reconnect may have reached a port proxy (Docker's) that accepted before
                    // the server listened, and been reset: the connection comes back; publish again until the deadline.
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(20);
                    continue;
                }
                try {
                    // Normally back within a millisecond. Publishing again only matters right after an outage, while
                    // the subscription is being restored; the first copy that arrives counts.
                    arrived.get(250, TimeUnit.MILLISECONDS);
                    return id;
                } catch (TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Keyspace notifications of database " + db + " did not"
                                + " arrive within " + timeout.toSeconds() + " s: the sentinel published on " + channel
                                + " never came back to the subscription of client " + CLIENT_NAME + ".");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for keyspace notifications", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiting.remove(id);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
