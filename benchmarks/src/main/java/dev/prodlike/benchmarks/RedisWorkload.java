package dev.prodlike.benchmarks;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;

/** What every measured Redis "test" does: write a session and a cached value, read them back. */
final class RedisWorkload {

    private RedisWorkload() {}

    static void run(RedisCommands<String, String> redis) {
        // An empty keyspace is the point of a per-test reset; anything else means isolation broke.
        if (redis.dbsize() != 0) {
            throw new IllegalStateException("expected an empty keyspace, found " + redis.dbsize() + " keys");
        }
        redis.hset("session:abc", Map.of("tenant", "acme", "user", "u-1"));
        redis.expire("session:abc", 1800);
        redis.set("order:42", "{\"id\":42,\"status\":\"new\"}");
        if (!"acme".equals(redis.hget("session:abc", "tenant")) || redis.get("order:42") == null) {
            throw new IllegalStateException("Redis lost a write");
        }
    }

    /** @return the server's pid, from INFO server */
    static long serverPid(RedisCommands<String, String> redis) {
        for (String line : redis.info("server").split("\r?\n")) {
            if (line.startsWith("process_id:")) {
                return Long.parseLong(line.substring("process_id:".length()).trim());
            }
        }
        throw new IllegalStateException("INFO server has no process_id");
    }
}
