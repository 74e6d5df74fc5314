package dev.prodlike.redis;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.prodlike.Provider;
import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** redis.topology=cluster: a real Redis Cluster per test, with cluster semantics and an empty keyspace each time. */
class ClusterTests {

    static EngineExecutionResults run(boolean parallel, Class<?>... fixtures) {
        var kit = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", String.valueOf(parallel));
        if (parallel) {
            kit = kit.configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                    .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "6")
                    .configurationParameter("junit.jupiter.execution.parallel.config.fixed.max-pool-size", "6");
        }
        for (Class<?> f : fixtures) {
            kit = kit.selectors(selectClass(f));
        }
        return kit.execute();
    }

    @Test
    void aClusterOfThreeMastersAnswersWithClusterSemantics() {
        TestKitEvents.assertAllSucceeded(run(false, ClusterTestCase.class), 4);
    }

    @RedisSession(topology = RedisTopology.CLUSTER)
    static class ClusterTestCase {

        @Test
        void threeMastersServeEverySlot(
                RedisEnvironment redis,
                RedisAdvancedClusterCommands<String, String> cmd,
                StatefulRedisClusterConnection<String, String> connection) {
            assertThat(redis.topology()).isEqualTo(RedisTopology.CLUSTER);
            assertThat(redis.nodes()).hasSize(3);
            assertThat(redis.uri().toString()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(cmd.clusterInfo())
                    .contains("cluster_state:ok", "cluster_known_nodes:3", "cluster_slots_assigned:16384");
            assertThat(connection.getPartitions().getPartitions())
                    .hasSize(3)
                    .allSatisfy(n ->
                            assertThat(n.is(RedisClusterNode.NodeFlag.UPSTREAM)).isTrue());
            Set<String> servedBy = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                cmd.set("order:" + i, "v" + i);
                servedBy.add(connection
                        .getPartitions()
                        .getPartitionBySlot(io.lettuce.core.cluster.SlotHash.getSlot("order:" + i))
                        .getNodeId());
            }
            assertThat(servedBy).as("keys spread over every master").hasSize(3);
            assertThat(cmd.dbsize()).isEqualTo(30);
            assertThat(cmd.get("order:7")).isEqualTo("v7");
        }

        @Test
        void crossSlotCommandsFailWhileOneHashTagWorks(RedisAdvancedClusterCommands<String, String> cmd) {
            cmd.set("cart:acme", "1");
            assertThatThrownBy(() -> cmd.rename("cart:acme", "cart:globex"))
                    .isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessageStartingWith("CROSSSLOT");
            cmd.sadd("tags:a", "x");
            cmd.sadd("tags:b", "y");
            assertThatThrownBy(() -> cmd.sunionstore("tags:all", "tags:a", "tags:b"))
                    .isInstanceOf(RedisCommandExecutionException.class)
                    .hasMessageStartingWith("CROSSSLOT");

            cmd.set("{acme}:cart", "1");
            assertThat(cmd.rename("{acme}:cart", "{acme}:cart:old")).isEqualTo("OK");
            cmd.sadd("{acme}:tags:a", "x");
            cmd.sadd("{acme}:tags:b", "y");
            assertThat(cmd.sunionstore("{acme}:tags:all", "{acme}:tags:a", "{acme}:tags:b"))
                    .isEqualTo(2);
        }

        @Test
        void clientsOfTheUriFollowTheSlotsAndSelectIsRefused(RedisEnvironment redis) {
            RedisClusterClient own = RedisClusterClient.create(redis.uri().toString());
            try (StatefulRedisClusterConnection<String, String> c = own.connect()) {
                for (int i = 0; i < 20; i++) {
                    c.sync().set("k" + i, "v");
                }
                assertThat(c.sync().dbsize()).isEqualTo(20);
                assertThatThrownBy(() -> c.getConnection(redis.host(), redis.port())
                                .sync()
                                .select(1))
                        .isInstanceOf(RedisCommandExecutionException.class)
                        .hasMessageContaining("SELECT is not allowed in cluster mode");
            } finally {
                own.shutdown();
            }
            assertThatKey(redis, "k13").exists();
        }

        @Test
        void networkFaultsAndOutagesAreRefusedSayingWhatWorks(RedisEnvironment redis) {
            assertThatThrownBy(() -> redis.faults().network())
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("MOVED")
                    .hasMessageContaining("Fix: test network faults against a standalone");
            assertThatThrownBy(() -> redis.faults().outage())
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("Fix: test outages against a standalone server");
        }
    }

    @Test
    void everyTestStartsWithAnEmptyClusterSequentially() {
        TestKitEvents.assertAllSucceeded(run(false, EmptyKeyspaceTestCase.class), 6);
    }

    @Test
    void everyTestStartsWithAnEmptyClusterOfItsOwnInParallel() {
        TestKitEvents.assertAllSucceeded(run(true, EmptyKeyspaceTestCase.class, OtherEmptyKeyspaceTestCase.class), 12);
    }

    @RedisSession(topology = RedisTopology.CLUSTER)
    static class EmptyKeyspaceTestCase {
        @RepeatedTest(6)
        void ownKeyspace(RedisEnvironment redis, RedisAdvancedClusterCommands<String, String> cmd, RepetitionInfo info)
                throws InterruptedException {
            assertThat(cmd.dbsize()).isZero();
            String mine = "order:" + info.getCurrentRepetition();
            assertThatCache(redis)
                    .whenRunning(() -> {
                        for (int i = 0; i < 10; i++) {
                            cmd.set("shared:" + i, mine);
                        }
                        cmd.set(mine, "x");
                    })
                    .wrote("shared:0", "shared:9", mine);
            Thread.sleep(20); // lets a test running beside it write meanwhile, if it shared this keyspace
            assertThat(cmd.dbsize()).isEqualTo(11);
            assertThat(cmd.get("shared:5")).isEqualTo(mine);
        }
    }

    @RedisSession(topology = RedisTopology.CLUSTER)
    static class OtherEmptyKeyspaceTestCase extends EmptyKeyspaceTestCase {}

    @Test
    void standaloneTypesAreRefusedInClusterModeSayingWhatToAskFor() {
        run(false, WrongTypeTestCase.class)
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(finishedWithFailure(
                                instanceOf(ParameterResolutionException.class),
                                message(m -> m.contains(
                                                "this test's Redis is a cluster (redis.topology=cluster), which a standalone RedisCommands"
                                                        + " cannot use")
                                        && m.contains("ask for RedisClusterClient")))));
    }

    @RedisSession(topology = RedisTopology.CLUSTER)
    static class WrongTypeTestCase {
        @Test
        void standalone(RedisCommands<String, String> cmd) {}
    }

    @Test
    @DockerRedisTests.EnabledIfDockerAvailable
    void runsOnTheDockerProviderToo() {
        TestKitEvents.assertAllSucceeded(run(false, DockerClusterTestCase.class), 5);
    }

    @RedisSession(topology = RedisTopology.CLUSTER, provider = Provider.DOCKER)
    static class DockerClusterTestCase extends ClusterTestCase {
        @Test
        void inDocker(RedisEnvironment redis) {
            assertThat(redis.provider()).isEqualTo("docker");
            assertThat(redis.nodes()).allSatisfy(u -> assertThat(u.getHost()).isEqualTo("127.0.0.1"));
        }
    }
}
