package dev.prodlike.benchmarks;

import dev.prodlike.redis.RedisSession;
import dev.prodlike.redis.RedisTopology;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fixture for row 3c: tests on a Redis Cluster of 3 masters, each with the whole cluster emptied for it. The wait is
 * measured as in {@link RedisTestCase}: parameter resolution, when prodlike leases a cluster and runs FLUSHALL on
 * every master.
 */
@ExtendWith(WaitClock.class)
@RedisSession(topology = RedisTopology.CLUSTER)
public class RedisClusterTestCase {

    static final int TESTS = 60;
    static final Queue<Long> WAITS = new ConcurrentLinkedQueue<>();

    @RepeatedTest(TESTS)
    void emptyCluster(RedisAdvancedClusterCommands<String, String> redis) {
        WAITS.add(WaitClock.elapsed(System.nanoTime()));
        for (int i = 0; i < 10; i++) {
            redis.set("order:" + i, "cached");
        }
        redis.get("order:3");
    }
}
