package dev.prodlike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** A resilience test of a tiny retrying client, with each fault. */
@RedisSession
class FaultsTests {

    /**
     * The client under test: no auto-reconnect, a short command timeout, and a retry loop that reconnects after a
     * failure. {@code onFailure} lets a test react to the first failure (e.g. end the outage) without sleeping.
     */
    static final class RetryingClient implements AutoCloseable {
        private final RedisClient client;
        private final int maxAttempts;
        final List<String> failures = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        int connects;
        private StatefulRedisConnection<String, String> connection;

        RetryingClient(RedisEnvironment redis, Duration timeout, int maxAttempts) {
            RedisURI uri = RedisURI.create(redis.uri().toString());
            uri.setTimeout(timeout);
            this.client = RedisClient.create(uri);
            this.client.setOptions(ClientOptions.builder().autoReconnect(false).build());
            this.maxAttempts = maxAttempts;
        }

        String execute(Function<RedisCommands<String, String>, String> command, Consumer<RuntimeException> onFailure) {
            RuntimeException last = null;
            for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                try {
                    if (connection == null || !connection.isOpen()) {
                        connects++;
                        connection = client.connect();
                    }
                    return command.apply(connection.sync());
                } catch (RedisException e) {
                    last = e;
                    failures.add(e.getClass().getSimpleName());
                    errors.add(e.toString());
                    if (connection != null) {
                        connection.close();
                        connection = null;
                    }
                    onFailure.accept(e);
                }
            }
            throw last;
        }

        @Override
        public void close() {
            if (connection != null) {
                connection.close();
            }
            client.shutdown();
        }
    }

    @Test
    void retriesThroughAPause(RedisEnvironment redis) {
        try (RetryingClient client = new RetryingClient(redis, Duration.ofMillis(100), 100)) {
            assertThat(client.execute(c -> c.set("k", "v"), e -> {})).isEqualTo("OK");
            // the pause outlasts the client's timeout many times over, so the first attempt times out
            redis.faults().pause(Duration.ofSeconds(2));
            assertThat(client.execute(c -> c.get("k"), e -> {})).isEqualTo("v");
            // attempts time out or, when reconnecting, fail to connect until the pause ends (on a loaded CI machine
            // once a plain RedisException: a connection closed as the pause ended)
            assertThat(client.failures)
                    .as("%s", client.errors)
                    .isNotEmpty()
                    .allMatch(f -> f.equals("RedisCommandTimeoutException")
                            || f.equals("RedisConnectionException")
                            || f.equals("RedisException"));
        }
    }

    @Test
    void retriesAfterDroppedConnections(RedisEnvironment redis, RedisCommands<String, String> injected) {
        try (RetryingClient client = new RetryingClient(redis, Duration.ofSeconds(5), 3)) {
            assertThat(client.execute(c -> c.set("k", "v"), e -> {})).isEqualTo("OK");
            KeyspaceRecorder recorder = redis.recorder();
            int dropped = redis.faults().dropConnections();
            assertThat(dropped).isEqualTo(2); // the retrying client's and the injected connection
            assertThat(client.execute(c -> c.get("k"), e -> {})).isEqualTo("v");
            // the client noticed the closed connection, either by a failed command or before sending one (a fault
            // injected by a test running in parallel on the same server may cost it one more reconnect)
            assertThat(client.connects).as("reconnects after %s", client.errors).isGreaterThanOrEqualTo(2);
            assertThat(client.failures).hasSizeLessThan(3);
            // Lettuce's own auto-reconnect brings the injected connection back; the recorder never stopped
            assertThat(injected.get("k")).isEqualTo("v");
            injected.del("k");
            assertThat(recorder.events()).extracting(KeyEvent::toString).containsExactly("del k");
        }
    }

    @Test
    void retriesThroughAnOutage(RedisEnvironment redis) {
        try (RetryingClient client = new RetryingClient(redis, Duration.ofSeconds(5), 3)) {
            assertThat(client.execute(c -> c.set("k", "v"), e -> {})).isEqualTo("OK");
            int port = redis.port();
            RedisFaults.Outage outage = redis.faults().outage();
            // the first attempt fails while the server is down; the failure ends the outage, the retry succeeds
            String value = client.execute(c -> c.get("k"), e -> outage.close());
            assertThat(value).isNull(); // back on the same port, empty: no persistence
            assertThat(client.failures).hasSize(1);
            assertThat(redis.port()).isEqualTo(port);
            assertThat(client.execute(c -> c.set("k", "again"), e -> {})).isEqualTo("OK");
        }
    }

    static final Map<String, String> FORGOTTEN = new ConcurrentHashMap<>();

    @Test
    void bringsTheServerBackWhenATestForgetsTheOutage() {
        FORGOTTEN.clear();
        // One run, one root Store: both tests share one server, so the second finds it only if the first one's
        // forgotten outage was ended when that test ended.
        TestKitEvents.assertAllSucceeded(RedisSessionTests.run(ForgottenOutageTestCase.class), 2);
        assertThat(FORGOTTEN.get("second"))
                .as("the same server in both tests")
                .isEqualTo(FORGOTTEN.get("first"))
                .isNotNull();
    }

    @RedisSession
    @Execution(ExecutionMode.SAME_THREAD)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ForgottenOutageTestCase {
        /** The server behind the test's own proxy (each test has a proxy of its own, on a port of its own). */
        private static String server(RedisEnvironment redis) {
            var target = redis.faults().network().target();
            return target.getHostString() + ":" + target.getPort();
        }

        @Test
        @Order(1)
        void forgets(RedisEnvironment redis) {
            FORGOTTEN.put("first", server(redis));
            redis.faults().outage();
        }

        @Test
        @Order(2)
        void findsTheServerBack(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            FORGOTTEN.put("second", server(redis));
            assertThat(cmd.ping()).isEqualTo("PONG");
            assertThat(cmd.set("k", "v")).isEqualTo("OK");
        }
    }

    @Test
    void recordsAcrossAnOutage(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        KeyspaceRecorder recorder = redis.recorder();
        try (RedisFaults.Outage outage = redis.faults().outage()) {
            assertThat(outage).isNotNull();
        }
        cmd.set("after", "outage");
        assertThat(recorder.events()).extracting(KeyEvent::toString).containsExactly("set after");
    }

    @Test
    void boundsPauses(RedisEnvironment redis) {
        assertThatThrownBy(() -> redis.faults().pause(Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A pause must last from 1 ms to 30 s but was: PT5M");
        assertThatThrownBy(() -> redis.faults().pause(Duration.ZERO))
                .hasMessage("A pause must last from 1 ms to 30 s but was: PT0S");
    }
}
