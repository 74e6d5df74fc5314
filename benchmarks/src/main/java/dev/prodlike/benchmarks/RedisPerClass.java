package dev.prodlike.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * The alternative for row 3: a Redis server per test class, started and stopped with org.signal's embedded-redis
 * {@code RedisServer} (the same static redis-server 7.0.15 binary prodlike runs), with FLUSHALL between the tests of
 * a class. Loopback only; a bounded number of classes.
 */
final class RedisPerClass {

    record Result(Stats startToReady, Stats stop, Stats flushPerTest) {}

    private RedisPerClass() {}

    static Result measure(int classes, int testsPerClass) throws IOException {
        List<Double> starts = new ArrayList<>();
        List<Double> stops = new ArrayList<>();
        List<Double> flushes = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int port = freePort();
            long t0 = System.nanoTime();
            RedisServer server = RedisServer.builder()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                redis.ping();
                starts.add((System.nanoTime() - t0) / 1e6);
                for (int t = 0; t < testsPerClass; t++) {
                    long f0 = System.nanoTime();
                    redis.flushall();
                    flushes.add((System.nanoTime() - f0) / 1e6);
                    RedisWorkload.run(redis);
                }
            } finally {
                client.shutdown();
                long s0 = System.nanoTime();
                server.stop();
                stops.add((System.nanoTime() - s0) / 1e6);
            }
        }
        return new Result(new Stats(starts), new Stats(stops), new Stats(flushes));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
