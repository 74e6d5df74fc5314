package dev.prodlike.redis;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cache and key assertions against a real Redis: they pass on correct code and fail, with evidence, on bugs. */
@RedisSession
class CacheAssertionsTests {

    /** A tiny cache-aside service whose invalidation can be made wrong on purpose. */
    static final class OrderService {
        private final RedisCommands<String, String> cache;

        OrderService(RedisCommands<String, String> cache) {
            this.cache = cache;
        }

        void rename(int id, String name) {
            cache.del("order:" + id);
        }

        void renameForgettingTheCache(int id, String name) {
            // the bug: database updated, cache left stale
        }

        void renameEvictingWrongKey(int id, String name) {
            cache.del("order:" + (id + 1));
        }

        void renameEvictingEverything(int id, String name) {
            cache.del("order:" + id, "order:" + (id + 1));
        }

        void refresh(int id, String name) {
            cache.set("order:" + id, name);
        }
    }

    @Test
    void passesWhenExactlyTheRightKeyIsInvalidated(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("order:42", "a");
        cmd.set("order:43", "b");
        OrderService service = new OrderService(cmd);
        assertThatCache(redis)
                .whenRunning(() -> service.rename(42, "x"))
                .invalidated("order:42")
                .didNotTouch("order:43");
        assertThatCache(redis)
                .whenRunning(() -> service.refresh(43, "y"))
                .wrote("order:43")
                .didNotTouch("order:42");
        assertThatCache(redis).whenRunning(() -> cmd.get("order:43")).touchedNothing();
    }

    @Test
    void failsOnAStaleCache(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("order:42", "a");
        OrderService service = new OrderService(cmd);
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> service.renameForgettingTheCache(42, "x"))
                        .invalidated("order:42"))
                .isInstanceOf(AssertionError.class)
                .hasMessage(String.format(
                        "%nExpecting the action to invalidate (delete, expire, evict) the keys%n"
                                + "  [\"order:42\"]%nbut it did not invalidate%n  [\"order:42\"]%n"
                                + "What happened to the keys during the action, in order:%n"
                                + "  (no key events: nothing was written, deleted, expired or evicted in database %d)",
                        redis.database()));
    }

    @Test
    void failsWhenTheWrongKeyIsEvicted(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("order:42", "a");
        cmd.set("order:43", "b");
        OrderService service = new OrderService(cmd);
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> service.renameEvictingWrongKey(42, "x"))
                        .invalidated("order:42"))
                .isInstanceOf(AssertionError.class)
                .hasMessage(String.format("%nExpecting the action to invalidate (delete, expire, evict) the keys%n"
                        + "  [\"order:42\"]%nbut it did not invalidate%n  [\"order:42\"]%n"
                        + "What happened to the keys during the action, in order:%n  1. del order:43"));
    }

    @Test
    void failsOnCollateralEviction(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.set("order:42", "a");
        cmd.set("order:43", "b");
        OrderService service = new OrderService(cmd);
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> service.renameEvictingEverything(42, "x"))
                        .invalidated("order:42")
                        .didNotTouch("order:43"))
                .isInstanceOf(AssertionError.class)
                .hasMessage(String.format("%nExpecting the action not to touch the keys%n  [\"order:43\"]%n"
                        + "but it touched%n  [\"order:43\"]%n"
                        + "What happened to the keys during the action, in order:%n"
                        + "  1. del order:42%n  2. del order:43"));
    }

    @Test
    void failsWhenAnExpectedWriteIsMissing(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> cmd.set("order:1", "x"))
                        .wrote("order:1", "order:2"))
                .hasMessageContaining("but it did not write%n  [\"order:2\"]".formatted())
                .hasMessageEndingWith("  1. set order:1");
    }

    @Test
    void recordsWritesTtlsDeletesAndExpirationsInOrder(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        KeyspaceRecorder recorder = redis.recorder();
        cmd.hset("session:abc", Map.of("tenant", "acme"));
        cmd.expire("session:abc", 1800);
        cmd.incr("hits");
        cmd.rename("hits", "visits");
        cmd.unlink("visits");
        cmd.set("gone", "x");
        // 100 ms, not 1: Redis deletes at once (a "del" event, no "expire") a key whose expiry has passed by the time
        // the command runs, and a 1 ms expiry can pass between Redis reading the clock and checking it.
        cmd.pexpire("gone", 100);
        // An expired key is removed when it is next accessed (or by the background cycle): access it.
        while (cmd.exists("gone") > 0) {
            Thread.onSpinWait();
        }
        assertThat(recorder.events())
                .extracting(KeyEvent::toString)
                .containsExactly(
                        "hset session:abc",
                        "expire session:abc",
                        "incrby hits",
                        "rename_from hits",
                        "rename_to visits",
                        "del visits",
                        "set gone",
                        "expire gone",
                        "expired gone");
        assertThat(recorder.eventsFor("gone"))
                .extracting(KeyEvent::kind)
                .containsExactly(KeyEvent.Kind.WRITE, KeyEvent.Kind.TTL, KeyEvent.Kind.EXPIRED);
        recorder.clear();
        assertThat(recorder.events()).isEmpty();
    }

    @Test
    void keyAssertionsPassOnAGoodSession(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.hset("session:abc", Map.of("tenant", "acme", "user", "u-1"));
        cmd.expire("session:abc", Duration.ofMinutes(30));
        assertThatKey(redis, "session:abc")
                .exists()
                .hasTtlBetween(Duration.ofMinutes(29), Duration.ofMinutes(30))
                .hasField("tenant", "acme")
                .hasField("user", "u-1");
        assertThatKey(redis, "session:nope").doesNotExist();
    }

    @Test
    void failsOnASessionWithoutExpiry(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.hset("session:abc", Map.of("tenant", "acme"));
        assertThatThrownBy(() -> assertThatKey(redis, "session:abc")
                        .exists()
                        .hasTtlBetween(Duration.ofMinutes(29), Duration.ofMinutes(30)))
                .isInstanceOf(AssertionError.class)
                .hasMessage(String.format("%nExpecting key%n  \"session:abc\"%nto have a TTL between PT29M and PT30M"
                        + " but it has no expiry (TTL -1): it never expires."));
    }

    @Test
    void keyAssertionsShowWhatIsThere(RedisEnvironment redis, RedisCommands<String, String> cmd) {
        cmd.hset("session:abc", Map.of("tenant", "globex"));
        cmd.set("token", "t");
        cmd.expire("token", 100);
        assertThatThrownBy(() -> assertThatKey(redis, "session:abc").hasField("tenant", "acme"))
                .hasMessage(String.format("%nExpecting hash%n  \"session:abc\"%nto have field \"tenant\" = \"acme\""
                        + " but it is \"globex\"."));
        assertThatThrownBy(() -> assertThatKey(redis, "session:abc").hasField("user", "u-1"))
                .hasMessageEndingWith("but it has no such field; its fields are:%n  {tenant=globex}".formatted());
        assertThatThrownBy(() -> assertThatKey(redis, "token").hasField("user", "u-1"))
                .hasMessageEndingWith("but the key holds a string, not a hash.");
        assertThatThrownBy(() ->
                        assertThatKey(redis, "token").hasTtlBetween(Duration.ofMinutes(29), Duration.ofMinutes(30)))
                .hasMessageContaining("but its TTL is PT1M");
        assertThatThrownBy(() -> assertThatKey(redis, "token").doesNotExist())
                .hasMessageContaining("but it does: a string with a TTL of PT1M");
        cmd.del("session:abc");
        assertThatThrownBy(() -> assertThatKey(redis, "session:abc").exists())
                .hasMessage(String.format(
                        "%nExpecting key%n  \"session:abc\"%nto exist in Redis database %d but it"
                                + " does not.%nThe database holds 1 key(s), e.g. [token].",
                        redis.database()));
    }
}
