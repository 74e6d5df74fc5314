package dev.prodlike.benchmarks;

import dev.prodlike.redis.RedisSession;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fixture for row 3: 200 tests, each with an empty Redis keyspace of its own. The wait is measured as in
 * {@link PerTestTestCase}: parameter resolution, when prodlike leases and empties a logical database.
 */
@ExtendWith(WaitClock.class)
@RedisSession
public class RedisTestCase {

    static final int TESTS = 200;
    static final Queue<Long> WAITS = new ConcurrentLinkedQueue<>();
    /** Per test: {wait, on CPU, waiting for a CPU, the test's rank on its thread (1 = the thread's first)}, ns. */
    static final Queue<long[]> BREAKDOWNS = new ConcurrentLinkedQueue<>();

    private static final ThreadLocal<int[]> RANK = ThreadLocal.withInitial(() -> new int[1]);
    static final AtomicInteger DONE = new AtomicInteger();
    static final AtomicReference<Rss.Sample> RSS = new AtomicReference<>();

    static void reset() {
        WAITS.clear();
        BREAKDOWNS.clear();
        DONE.set(0);
        RSS.set(null);
    }

    @RepeatedTest(TESTS)
    void emptyKeyspace(RedisCommands<String, String> redis) {
        long wait = WaitClock.elapsed(System.nanoTime());
        WAITS.add(wait);
        long[] split = WaitClock.breakdown(wait);
        if (split != null) {
            BREAKDOWNS.add(new long[] {split[0], split[1], split[2], ++RANK.get()[0]});
        }
        RedisWorkload.run(redis);
        if (DONE.incrementAndGet() % 25 == 0) {
            RSS.accumulateAndGet(Rss.tree(RedisWorkload.serverPid(redis)), (prev, sample) -> sample.max(prev));
        }
    }
}
