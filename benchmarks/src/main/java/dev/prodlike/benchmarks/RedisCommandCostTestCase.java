package dev.prodlike.benchmarks;

import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisSession;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Fixture for row 3b: the cost of the test's network proxy per Redis command. One test times GETs on a connection
 * through its proxy (what the code under test gets) and on a connection straight to the server, in alternating blocks
 * so that both sides see the same load.
 */
@RedisSession
public class RedisCommandCostTestCase {

    static final int BLOCKS = 20;
    static final int PER_BLOCK = 1000;
    static final Queue<Long> PROXIED = new ConcurrentLinkedQueue<>();
    static final Queue<Long> DIRECT = new ConcurrentLinkedQueue<>();

    static void reset() {
        PROXIED.clear();
        DIRECT.clear();
    }

    @Test
    void commands(RedisEnvironment redis, RedisCommands<String, String> proxied) {
        InetSocketAddress server = redis.faults().network().target();
        RedisClient client = RedisClient.create(RedisURI.builder()
                .withHost(server.getHostString())
                .withPort(server.getPort())
                .withDatabase(redis.database())
                .build());
        try (StatefulRedisConnection<String, String> direct = client.connect()) {
            proxied.set("k", "v");
            time(proxied, PER_BLOCK, null); // warm-up
            time(direct.sync(), PER_BLOCK, null);
            for (int b = 0; b < BLOCKS; b++) {
                time(proxied, PER_BLOCK, PROXIED);
                time(direct.sync(), PER_BLOCK, DIRECT);
            }
        } finally {
            client.shutdown();
        }
    }

    private static void time(RedisCommands<String, String> commands, int n, Queue<Long> into) {
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            commands.get("k");
            if (into != null) {
                into.add(System.nanoTime() - t0);
            }
        }
    }
}
