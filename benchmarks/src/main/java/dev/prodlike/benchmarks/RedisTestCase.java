package dev.prodlike.benchmarks;

import dev.prodlike.redis.RedisSession;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fixture for row 3: 200 tests, each with an empty Redis keyspace of its own. The wait is measured as in
 * {@link PerTestTestCase}: parameter resolution, when prodlike leases and empties a logical database.
 */
@ExtendWith(WaitClock.class)
@RedisSession
public class RedisTestCase {

    static final int TESTS = 200;
    static final Queue<Long> WAITS = new ConcurrentLinkedQueue<>();
    static final AtomicInteger DONE = new AtomicInteger();
    static final AtomicReference<Rss.Sample> RSS = new AtomicReference<>();

    static void reset() {
        WAITS.clear();
        DONE.set(0);
        RSS.set(null);
    }

    @RepeatedTest(TESTS)
    void emptyKeyspace(RedisCommands<String, String> redis) {
        WAITS.add(WaitClock.elapsed(System.nanoTime()));
        RedisWorkload.run(redis);
        if (DONE.incrementAndGet() % 25 == 0) {
            RSS.accumulateAndGet(Rss.tree(RedisWorkload.serverPid(redis)), (prev, sample) -> sample.max(prev));
        }
    }
}
