package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fixture for row 2: 200 tests, each with a fresh migrated database. The wait of a test is the time from its last
 * callback before the method ({@code BeforeTestExecutionCallback}) to the first line of the method: JUnit resolves
 * the {@link TenantDatabase} parameter in between, which is when prodlike hands out a clone.
 */
@ExtendWith(WaitClock.class)
@ProductionLikeDatabase
public class PerTestTestCase {

    static final int TESTS = 200;
    static final Queue<Long> WAITS = new ConcurrentLinkedQueue<>();
    static final Queue<Long> BODIES = new ConcurrentLinkedQueue<>();
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger MAX_IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger DONE = new AtomicInteger();
    static final AtomicReference<Rss.Sample> RSS = new AtomicReference<>();
    /** When the first test began (its BeforeTestExecutionCallback) and the last one ended, in nanoTime. */
    static final AtomicLong FIRST_START = new AtomicLong(Long.MAX_VALUE);

    static final AtomicLong LAST_END = new AtomicLong();

    static void reset() {
        WAITS.clear();
        BODIES.clear();
        IN_FLIGHT.set(0);
        MAX_IN_FLIGHT.set(0);
        DONE.set(0);
        RSS.set(null);
        FIRST_START.set(Long.MAX_VALUE);
        LAST_END.set(0);
    }

    /** @return ms from the first test's start to the last test's end: the suite without server start */
    static double testsWallMs() {
        return (LAST_END.get() - FIRST_START.get()) / 1e6;
    }

    @RepeatedTest(TESTS)
    void freshDatabase(TenantDatabase db) throws SQLException {
        measure(db);
    }

    /** The whole test: record the wait, run the workload as tenant acme, sample the server's memory now and then. */
    static void measure(TenantDatabase db) throws SQLException {
        measure(db, false);
    }

    /** @param readOnly run {@link Workload#readOnly} instead of placing an order */
    static void measure(TenantDatabase db, boolean readOnly) throws SQLException {
        long resolved = System.nanoTime();
        long waited = WaitClock.elapsed(resolved);
        WAITS.add(waited);
        FIRST_START.accumulateAndGet(resolved - waited, Math::min);
        MAX_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
        try (Connection c = db.asTenant("acme").getConnection()) {
            if (readOnly) {
                Workload.readOnly(c);
            } else {
                Workload.run(c);
            }
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
        long end = System.nanoTime();
        BODIES.add(end - resolved);
        LAST_END.accumulateAndGet(end, Math::max);
        if (DONE.incrementAndGet() % 25 == 0) {
            sampleServerMemory(db);
        }
    }

    private static void sampleServerMemory(TenantDatabase db) throws SQLException {
        long backend;
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            backend = rs.getLong(1);
            // The postmaster forks every backend: the backend's parent is the server's top process.
            Rss.Sample sample = Rss.tree(Rss.parentOf(backend));
            RSS.accumulateAndGet(sample, (previous, next) -> next.max(previous));
        }
    }
}
