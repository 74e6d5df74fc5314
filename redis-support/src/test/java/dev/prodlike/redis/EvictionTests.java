package dev.prodlike.redis;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real {@code maxmemory} evictions. The settings differ from every other class, so this class gets a server of its
 * own: memory is shared by all databases of a server.
 */
@RedisSession(settings = {"maxmemory-policy=volatile-ttl", "maxmemory-samples=10"})
class EvictionTests {

    @Test
    void recorderSeesEvictionsAndAssertionsNameTheEvictedKey(
            RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("order:1", "x".repeat(1000));
        long used = Long.parseLong(field(cmd.info("memory"), "used_memory"));
        cmd.configSet("maxmemory", String.valueOf(used + 512 * 1024));
        try {
            String value = "v".repeat(32 * 1024);
            CacheChanges changes = redis.recorder().record(() -> {
                for (int i = 0; i < 200 && !evicted(cmd); i++) {
                    cmd.set("cache:" + i, value, io.lettuce.core.SetArgs.Builder.ex(1000 + i));
                }
            });
            List<KeyEvent> evictions = changes.events().stream()
                    .filter(e -> e.kind() == KeyEvent.Kind.EVICTED)
                    .toList();
            assertThat(evictions).isNotEmpty();
            String victim = evictions.get(0).key();
            assertThat(victim).startsWith("cache:");
            assertThat(changes.eventsFor("order:1")).isEmpty(); // no TTL: volatile-ttl never evicts it
            RedisAssertions.assertThat(changes).invalidated(victim).didNotTouch("order:1");
            assertThatThrownBy(() -> RedisAssertions.assertThat(changes).didNotTouch(victim))
                    .hasMessageContaining(". evicted " + victim);
        } finally {
            cmd.configSet("maxmemory", "0");
        }
        assertThatCache(redis).whenRunning(() -> cmd.set("order:2", "y")).wrote("order:2");
    }

    private static boolean evicted(RedisCommands<String, String> cmd) {
        return Long.parseLong(field(cmd.info("stats"), "evicted_keys")) > 0;
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new IllegalStateException(name + " not in INFO");
    }
}
