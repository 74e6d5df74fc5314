package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

    static void reset() {
        WAITS.clear();
        BODIES.clear();
        IN_FLIGHT.set(0);
        MAX_IN_FLIGHT.set(0);
        DONE.set(0);
        RSS.set(null);
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
        WAITS.add(WaitClock.elapsed(resolved));
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
        BODIES.add(System.nanoTime() - resolved);
        if (DONE.incrementAndGet() % 25 == 0) {
            sampleServerMemory(db);
        }
    }

    private static void sampleServerMemory(TenantDatabase db) throws SQLException {
        long backend;
        try (Connection c = db.ownerDataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            backend = rs.getLong(1);
            // The postmaster forks every backend: the backend's parent is the server's top process.
            Rss.Sample sample = Rss.tree(Rss.parentOf(backend));
            RSS.accumulateAndGet(sample, (previous, next) -> next.max(previous));
        }
    }
}
