package dev.prodlike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.faults.Fault;
import dev.prodlike.faults.NetworkFaults;
import dev.prodlike.faults.NetworkStats;
import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Each network fault as a Lettuce client sees it, through the test's own proxy (embedded provider; the Docker provider
 * runs the same tests in {@link DockerNetworkFaultsTests}). Timings are only checked as lower bounds.
 */
@RedisSession
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken fault hangs
class NetworkFaultsTests {

    /** A client of the test's keyspace with the given command and connect timeouts, reconnecting never. */
    static RedisClient client(RedisEnvironment redis, Duration commandTimeout, Duration connectTimeout) {
        RedisURI uri = RedisURI.create(redis.uri().toString());
        uri.setTimeout(commandTimeout);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .socketOptions(
                        SocketOptions.builder().connectTimeout(connectTimeout).build())
                .build());
        return client;
    }

    @Test
    void theUriAndTheInjectedConnectionGoThroughTheTestsProxyAndControlGoesDirect(
            RedisEnvironment redis, RedisCommands<String, String> cmd) {
        NetworkFaults net = redis.faults().network();
        assertThat(redis.uri().getPort()).isEqualTo(net.address().getPort()).isEqualTo(redis.port());
        assertThat(redis.uri().getHost()).isEqualTo("127.0.0.1");
        NetworkStats before = net.stats();
        cmd.set("k", "v");
        assertThat(redis.controlCommands().get("k")).isEqualTo("v");
        NetworkStats during = net.stats().since(before);
        assertThat(during.bytesToServer()).isPositive();
        assertThat(during.bytesToClient()).isPositive();
        assertThat(net.stats().liveConnections()).isEqualTo(1);
    }

    @Test
    void latencyDelaysEveryCommandOfTheConnectionOpenedBeforeIt(
            RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("k", "v");
        try (Fault slow = redis.faults().network().latency(Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            assertThat(cmd.get("k")).isEqualTo("v");
            assertThat(cmd.get("k")).isEqualTo("v");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        }
    }

    @Test
    void hangTripsTheLettuceCommandTimeout(RedisEnvironment redis, StatefulRedisConnection<String, String> injected) {
        injected.sync().set("k", "v"); // connected and used before the fault
        injected.setTimeout(Duration.ofSeconds(1));
        try (Fault hung = redis.faults().network().hang()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> injected.sync().get("k"))
                    .isInstanceOf(RedisCommandTimeoutException.class)
                    .hasMessageContaining("1 second");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void hangHoldsNewConnectsUntilTheLettuceConnectTimeout(RedisEnvironment redis) {
        RedisClient client = client(redis, Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (Fault hung = redis.faults().network().hang()) {
            assertThatThrownBy(client::connect)
                    .isInstanceOf(RedisConnectionException.class)
                    .hasRootCauseInstanceOf(io.netty.channel.ConnectTimeoutException.class);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void refuseFailsNewConnectsAtOnceAndResetsLiveOnes(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        NetworkFaults net = redis.faults().network();
        cmd.set("k", "v");
        RedisClient client = client(redis, Duration.ofSeconds(5), Duration.ofSeconds(5));
        NetworkStats before = net.stats();
        try (Fault refused = net.refuse()) {
            assertThat(net.stats().liveConnections()).isZero();
            assertThatThrownBy(client::connect).isInstanceOf(RedisConnectionException.class);
            NetworkStats during = net.stats().since(before);
            // ours, and the injected connection's reconnects (Lettuce reconnects by itself): every one refused
            assertThat(during.failedConnections()).isGreaterThanOrEqualTo(1).isEqualTo(during.connectionAttempts());
        } finally {
            client.shutdown();
        }
        // the injected connection reconnects by itself afterwards; a reconnect that was accepted and reset just before
        // the fault ended fails the command sent on it (as a refused reconnect does in production), so poll (bounded)
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String value = null;
        while (value == null && System.nanoTime() < deadline) {
            try {
                value = cmd.get("k");
            } catch (RedisException e) {
                assertThat(e).hasRootCauseInstanceOf(java.io.IOException.class);
            }
        }
        assertThat(value).isEqualTo("v");
    }

    @Test
    void resetAfterBytesCutsTheReplyMidway(RedisEnvironment redis) {
        NetworkFaults net = redis.faults().network();
        RedisClient client = client(redis, Duration.ofSeconds(10), Duration.ofSeconds(10));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().set("big", "x".repeat(10_000));
            NetworkStats before = net.stats();
            try (Fault cut = net.resetAfterBytes(1000)) {
                assertThatThrownBy(() -> c.sync().get("big")).isInstanceOf(RedisException.class);
                assertThat(net.stats().since(before).bytesToClient()).isEqualTo(1000);
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void bandwidthSlowsALargeReply(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("big", "x".repeat(40_000));
        try (Fault narrow = redis.faults().network().bandwidth(16 * 1024)) {
            long t0 = System.nanoTime();
            assertThat(cmd.get("big")).hasSize(40_000);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        }
    }

    @Test
    void failNextConnectionsFailsExactlyThatManyThenSucceeds(RedisEnvironment redis) {
        NetworkFaults net = redis.faults().network();
        RedisClient client = client(redis, Duration.ofSeconds(10), Duration.ofSeconds(10));
        NetworkStats before = net.stats();
        try (Fault flapping = net.failNextConnections(2)) {
            StatefulRedisConnection<String, String> c = null;
            int attempts = 0;
            while (c == null && attempts < 10) {
                attempts++;
                try {
                    c = client.connect();
                } catch (RedisConnectionException e) {
                    // retried
                }
            }
            assertThat(c.sync().ping()).isEqualTo("PONG");
            c.close();
            assertThat(attempts).isEqualTo(3);
            assertThat(flapping.isActive()).isFalse();
            NetworkStats during = net.stats().since(before);
            assertThat(during.connectionAttempts()).isEqualTo(3);
            assertThat(during.failedConnections()).isEqualTo(2);
        } finally {
            client.shutdown();
        }
    }

    // --- a forgotten fault ends with its test; parallel tests are untouched -------------------------------------

    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    /** The module's test profile without its provider line. */
    private static final String PROFILE =
            "redis.version=7.0\nredis.settings.maxmemory-policy=allkeys-lru\ndrift=fail\n";

    @RedisSession
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
    static class ForgottenFaultTestCase {
        @Test
        @org.junit.jupiter.api.Order(1)
        void forgetsAHang(RedisEnvironment redis) {
            SEEN.put("fault", redis.faults().network().hang());
            SEEN.put("db", redis.database());
        }

        @Test
        @org.junit.jupiter.api.Order(2)
        void nextTest(StatefulRedisConnection<String, String> c) {
            c.setTimeout(Duration.ofSeconds(10));
            SEEN.put("next", c.sync().ping());
        }
    }

    /** @return the provider this class tests, for its fixtures too */
    String provider() {
        return "embedded";
    }

    private org.junit.platform.testkit.engine.EngineExecutionResults run(EngineTestKit.Builder kit) throws Exception {
        return dev.prodlike.testing.ProfileOverride.with(PROFILE + "provider=" + provider() + "\n", kit::execute);
    }

    @Test
    @org.junit.jupiter.api.parallel.ResourceLock(FIXTURES)
    void aForgottenFaultEndsWithItsTest() throws Exception {
        SEEN.clear();
        TestKitEvents.assertAllSucceeded(
                run(EngineTestKit.engine("junit-jupiter").selectors(selectClass(ForgottenFaultTestCase.class))), 2);
        assertThat(((Fault) SEEN.get("fault")).isActive()).isFalse();
        assertThat(SEEN).containsEntry("next", "PONG");
    }

    static volatile CountDownLatch HUNG = new CountDownLatch(1);
    static volatile CountDownLatch NEIGHBOUR_DONE = new CountDownLatch(1);
    /** The fixtures share the static state above: their runs never overlap (also not with the Docker subclass's). */
    static final String FIXTURES = "prodlike.NetworkFaultsTests.fixtures";

    @RedisSession
    @Execution(ExecutionMode.CONCURRENT)
    static class ParallelTestCase {
        @Test
        void hangsItsOwnKeyspace(RedisEnvironment redis, RedisCommands<String, String> cmd) throws Exception {
            cmd.ping();
            try (Fault hung = redis.faults().network().hang()) {
                HUNG.countDown();
                SEEN.put("neighbourDone", NEIGHBOUR_DONE.await(60, TimeUnit.SECONDS));
            }
        }

        @Test
        void worksMeanwhile(StatefulRedisConnection<String, String> c) throws Exception {
            try {
                SEEN.put("sawHang", HUNG.await(60, TimeUnit.SECONDS));
                c.setTimeout(Duration.ofSeconds(10));
                for (int i = 0; i < 20; i++) {
                    c.sync().set("k" + i, "v");
                }
                SEEN.put("commands", 20);
            } finally {
                NEIGHBOUR_DONE.countDown();
            }
        }
    }

    @Test
    @org.junit.jupiter.api.parallel.ResourceLock(FIXTURES)
    void parallelTestsAreUntouchedByEachOthersFaults() throws Exception {
        SEEN.clear();
        HUNG = new CountDownLatch(1);
        NEIGHBOUR_DONE = new CountDownLatch(1);
        TestKitEvents.assertAllSucceeded(
                run(EngineTestKit.engine("junit-jupiter")
                        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                        .selectors(selectClass(ParallelTestCase.class))),
                2);
        assertThat(SEEN)
                .containsEntry("sawHang", true)
                .containsEntry("commands", 20)
                .containsEntry("neighbourDone", true);
    }
}
