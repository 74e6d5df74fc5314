package dev.prodlike.redis;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Many tests at once, more than the server has databases, plus tests that pause and stop the server. */
class ParallelIsolationTests {

    @Test
    void everyTestHasAnEmptyKeyspaceOfItsOwnUnderParallelExecution() {
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "24")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.max-pool-size", "24")
                .selectors(
                        selectClass(ManyTestsTestCase.class),
                        selectClass(OtherTestsTestCase.class),
                        selectClass(FaultyTestCase.class))
                .execute()
                .testEvents()
                .assertStatistics(s -> s.started(64 + 16 + 2).succeeded(64 + 16 + 2));
    }

    @RedisSession
    static class ManyTestsTestCase {
        @RepeatedTest(64)
        void ownKeyspace(RedisEnvironment redis, RedisCommands<String, String> cmd, RepetitionInfo info) {
            assertThat(cmd.dbsize()).isZero();
            String mine = "order:" + info.getCurrentRepetition();
            assertThatCache(redis)
                    .whenRunning(() -> {
                        cmd.set("shared", mine);
                        cmd.set(mine, "x");
                    })
                    .wrote("shared", mine);
            assertThat(Set.copyOf(cmd.keys("*"))).containsExactlyInAnyOrder("shared", mine);
            assertThat(cmd.get("shared")).isEqualTo(mine);
            assertThat(redis.recorder().events()).extracting(KeyEvent::key).containsExactly("shared", mine);
        }
    }

    @RedisSession
    static class OtherTestsTestCase {
        @RepeatedTest(16)
        void ownKeyspace(RedisCommands<String, String> cmd) {
            assertThat(cmd.dbsize()).isZero();
            cmd.set("shared", "other");
            assertThat(cmd.dbsize()).isOne();
        }
    }

    @RedisSession
    static class FaultyTestCase {
        @Test
        void pauses(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            cmd.set("k", "v");
            redis.faults().pause(Duration.ofMillis(200));
            assertThat(cmd.get("k")).isEqualTo("v");
        }

        @Test
        void stops(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            redis.faults().outage().close();
            assertThat(cmd.dbsize()).isZero();
        }
    }
}
