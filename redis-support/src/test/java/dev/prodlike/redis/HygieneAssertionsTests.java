package dev.prodlike.redis;

import static dev.prodlike.redis.RedisAssertions.assertThat;
import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.api.sync.RedisKeyCommands;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * wroteOnlyKeysMatching and everyWrittenKeyExpires against a real Redis, standalone and cluster: each catches a key
 * without the tenant, a key without expiry and a refresh that drops an expiry, with the keys and the commands that
 * wrote them, and passes on correct code.
 */
class HygieneAssertionsTests {

    /** A tenant-scoped cache whose bugs can be switched on. Works on any Lettuce commands (standalone or cluster). */
    static final class SessionCache<C extends RedisStringCommands<String, String> & RedisKeyCommands<String, String>> {
        private final C redis;

        SessionCache(C redis) {
            this.redis = redis;
        }

        void cacheOrder(String tenant, int id) {
            redis.set(tenant + ":order:" + id, "cached", SetArgs.Builder.ex(300));
        }

        void cacheOrderForgettingTheTenant(String tenant, int id) {
            redis.set("order:" + id, "cached", SetArgs.Builder.ex(300));
        }

        void cacheOrderForever(String tenant, int id) {
            redis.set(tenant + ":order:" + id, "cached");
        }

        void refreshSession(String tenant, String id) {
            redis.set(tenant + ":session:" + id, "refreshed", SetArgs.Builder.keepttl());
        }

        void refreshSessionDroppingItsExpiry(String tenant, String id) {
            redis.set(tenant + ":session:" + id, "refreshed");
        }
    }

    @RedisSession
    static class StandaloneTestCase {
        @Test
        void hygiene(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            check(redis, cmd, true);
        }
    }

    @RedisSession(topology = RedisTopology.CLUSTER)
    static class ClusterTestCase {
        @Test
        void hygiene(RedisEnvironment redis, RedisAdvancedClusterCommands<String, String> cmd) {
            check(redis, cmd, false);
        }
    }

    @Test
    void catchesAndPassesOnAStandaloneServer() {
        TestKitEvents.assertAllSucceeded(ClusterTests.run(false, StandaloneTestCase.class), 1);
    }

    @Test
    void catchesAndPassesOnACluster() {
        TestKitEvents.assertAllSucceeded(ClusterTests.run(false, ClusterTestCase.class), 1);
    }

    /**
     * @param serverOrder true on a standalone server, where all events are in server order; in a cluster only one
     *                    key's events are (keys on different masters arrive in arrival order)
     */
    static <C extends RedisStringCommands<String, String> & RedisKeyCommands<String, String>> void check(
            RedisEnvironment redis, C keys, boolean serverOrder) {
        SessionCache<C> cache = new SessionCache<>(keys);
        // correct code passes both
        assertThatCache(redis)
                .whenRunning(() -> {
                    cache.cacheOrder("acme", 1);
                    cache.cacheOrder("acme", 2);
                })
                .wroteOnlyKeysMatching("acme:*")
                .everyWrittenKeyExpires();

        // a key without the tenant
        var withoutTenant = assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> {
                            cache.cacheOrder("acme", 3);
                            cache.cacheOrderForgettingTheTenant("acme", 42);
                        })
                        .wroteOnlyKeysMatching("acme:*"))
                .isInstanceOf(AssertionError.class);
        if (serverOrder) {
            withoutTenant.hasMessage(String.join(
                            "%n",
                            "",
                            "Expecting every key the action wrote to match",
                            "  \"acme:*\"",
                            "but these did not:",
                            "  \"order:42\" written by: set, expire",
                            "What happened to the keys during the action, in order:",
                            "  1. set acme:order:3",
                            "  2. expire acme:order:3",
                            "  3. set order:42",
                            "  4. expire order:42")
                    .formatted());
        } else {
            withoutTenant.hasMessageContaining(
                    String.join("%n", "but these did not:", "  \"order:42\" written by: set, expire", "What happened")
                            .formatted());
        }

        // a key without expiry
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> cache.cacheOrderForever("acme", 7))
                        .everyWrittenKeyExpires())
                .isInstanceOf(AssertionError.class)
                .hasMessage(String.join(
                                "%n",
                                "",
                                "Expecting every key the action wrote to expire",
                                "but these have no expiry (PTTL -1) when the action ended:",
                                "  \"acme:order:7\" written by: set",
                                "    no command gave it an expiry (write it with SET ... EX/PX, or EXPIRE it in the same MULTI); if"
                                        + " it had one before the action, a write without KEEPTTL removed it",
                                "What happened to the keys during the action, in order:",
                                "  1. set acme:order:7")
                        .formatted());

        // a session refresh: KEEPTTL passes, a plain SET drops the expiry and fails
        keys.set("acme:session:s1", "new", SetArgs.Builder.ex(1800));
        assertThatCache(redis)
                .whenRunning(() -> cache.refreshSession("acme", "s1"))
                .wroteOnlyKeysMatching("acme:session:*")
                .everyWrittenKeyExpires();
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> cache.refreshSessionDroppingItsExpiry("acme", "s1"))
                        .everyWrittenKeyExpires())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("  \"acme:session:s1\" written by: set%n".formatted())
                .hasMessageContaining("a write without KEEPTTL removed it");

        // within one action: an expiry set, then removed by a later plain SET
        assertThatThrownBy(() -> assertThatCache(redis)
                        .whenRunning(() -> {
                            cache.refreshSession("acme", "s2");
                            keys.expire("acme:session:s2", 600);
                            cache.refreshSessionDroppingItsExpiry("acme", "s2");
                        })
                        .everyWrittenKeyExpires())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(String.join(
                                "%n",
                                "  \"acme:session:s2\" written by: set, expire, set",
                                "    its expiry was set, then the set after it removed it (a plain SET drops the TTL: write with"
                                        + " SET ... KEEPTTL, or EX/PX)")
                        .formatted());

        // a key written and deleted within the action needs no expiry
        assertThatCache(redis)
                .whenRunning(() -> {
                    cache.cacheOrderForever("acme", 9);
                    keys.del("acme:order:9");
                })
                .everyWrittenKeyExpires();

        // changes made by hand carry no TTLs: said so, not passed silently
        assertThatThrownBy(() -> assertThat(new CacheChanges(List.of(new KeyEvent("k", "set")), 0))
                        .everyWrittenKeyExpires())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("everyWrittenKeyExpires() needs the TTLs");
    }
}
