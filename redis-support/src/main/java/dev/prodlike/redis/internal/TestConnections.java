package dev.prodlike.redis.internal;

import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Lettuce client and connection injected into one test, pointed at its database, and the spare connection the
 * server opened for it in the background when the database came back from its previous test. Apart from
 * {@link TestSession} because they have a life of their own: created on first use, and a spare the test did not use
 * goes back to the server for the next test.
 */
final class TestConnections {

    /** How long a test waits for its spare connection still connecting, before opening one of its own. */
    private static final Duration SPARE_WAIT = Duration.ofSeconds(2);

    private final ClientResources resources;
    /** Where the test's clients connect: its proxy, or the server. */
    private final RedisURI testUri;
    /** Opened in the background when this database came back from its previous test; null when none was. */
    private ConnectionFuture<StatefulRedisConnection<String, String>> spare;

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    /**
     * @param resources the Lettuce resources every client prodlike creates shares
     * @param testUri   where the test's clients connect
     * @param spare     a connection to the database opened in the background, or null
     */
    TestConnections(
            ClientResources resources,
            RedisURI testUri,
            ConnectionFuture<StatefulRedisConnection<String, String>> spare) {
        this.resources = resources;
        this.testUri = testUri;
        this.spare = spare;
    }

    /** @return the Lettuce client of this test, pointed at its database; created on first use */
    synchronized RedisClient client() {
        if (client == null) {
            client = RedisClient.create(resources, testUri);
        }
        return client;
    }

    /** @return the connection of this test, to its database; opened on first use */
    synchronized StatefulRedisConnection<String, String> connection() {
        if (connection == null) {
            StatefulRedisConnection<String, String> ready = readySpare();
            connection = ready != null ? ready : client().connect();
        }
        return connection;
    }

    /** @return the test's connection when it was opened, else null */
    synchronized StatefulRedisConnection<String, String> opened() {
        return connection;
    }

    /**
     * Closes the spare unless the test's connection is it: an unused spare is prodlike's, not the test's, so it must
     * not count among the test's connections.
     */
    synchronized void closeUnusedSpare() {
        StatefulRedisConnection<String, String> unused = readySpare();
        if (unused != null) {
            closeQuietly(unused);
        }
    }

    /**
     * @return the spare connection, waiting for it when it is still connecting (it is ahead of a new one); null when
     *     there is none or it failed (a late one is closed once it connects)
     */
    private StatefulRedisConnection<String, String> readySpare() {
        var f = spare;
        spare = null;
        if (f == null) {
            return null;
        }
        StatefulRedisConnection<String, String> c;
        try {
            c = f.toCompletableFuture().get(SPARE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(TestConnections::closeQuietly);
            return null;
        } catch (ExecutionException | TimeoutException e) {
            f.thenAccept(TestConnections::closeQuietly);
            return null;
        }
        if (c != null && c.isOpen()) {
            return c;
        }
        if (c != null) {
            closeQuietly(c);
        }
        return null;
    }

    /**
     * Takes the spare out when the test ends; it goes back to the server only when it connected, is open and may be
     * handed to the next test, and is closed otherwise (a late one once it connects).
     *
     * @param keep false when the spare must not be handed on (the test had the server to itself for a fault)
     * @return the spare to hand on, or null
     */
    synchronized StatefulRedisConnection<String, String> takeUnusedSpare(boolean keep) {
        StatefulRedisConnection<String, String> unusedSpare = null;
        if (spare != null && spare.isDone() && !spare.toCompletableFuture().isCompletedExceptionally()) {
            StatefulRedisConnection<String, String> c =
                    spare.toCompletableFuture().getNow(null);
            if (c != null && c.isOpen() && keep) {
                unusedSpare = c;
            } else if (c != null) {
                closeQuietly(c);
            }
        } else if (spare != null) {
            spare.thenAccept(TestConnections::closeQuietly);
        }
        spare = null;
        return unusedSpare;
    }

    /** Closes the test's connection and client when it opened them. */
    synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Closes a connection unless it is closed already (Lettuce warns about a second close). */
    static void closeQuietly(StatefulRedisConnection<String, String> c) {
        if (c instanceof RedisChannelHandler<?, ?> h && h.isClosed()) {
            return;
        }
        c.closeAsync();
    }
}
