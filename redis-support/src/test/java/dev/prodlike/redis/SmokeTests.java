package dev.prodlike.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static org.assertj.core.api.Assertions.assertThat;

@RedisSession
class SmokeTests {

    @Test
    void injectsEverythingIntoOneEmptyKeyspace(RedisEnvironment redis, RedisClient client,
                                               StatefulRedisConnection<String, String> connection,
                                               RedisCommands<String, String> cmd,
                                               RedisAsyncCommands<String, String> async) throws Exception {
        assertThat(cmd.dbsize()).isZero();
        cmd.set("order:42", "cached");
        cmd.set("order:43", "cached");
        assertThat(async.get("order:42").get()).isEqualTo("cached");
        assertThat(connection.sync().get("order:43")).isEqualTo("cached");
        try (StatefulRedisConnection<String, String> other = client.connect()) {
            assertThat(other.sync().get("order:42")).isEqualTo("cached");
        }
        assertThat(redis.serverVersion()).isEqualTo("7.0.15");
        assertThat(redis.uri().toString()).startsWith("redis://127.0.0.1:").endsWith("/" + redis.database());
        assertThatCache(redis).whenRunning(() -> cmd.del("order:42"))
                .invalidated("order:42").didNotTouch("order:43");
        cmd.setex("session:abc", 1800, "x");
        assertThatKey(redis, "session:abc").exists().hasTtlBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
    }
}
