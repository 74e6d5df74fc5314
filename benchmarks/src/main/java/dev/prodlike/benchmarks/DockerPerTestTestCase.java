package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fixture for the Docker row: the same per-test wait as {@link PerTestTestCase} (last callback before the method to
 * its first line, when prodlike hands out a clone), without sampling the server's memory through /proc (the server
 * runs in a container, its process ids are not this machine's).
 */
@ExtendWith(WaitClock.class)
@ProductionLikeDatabase
public class DockerPerTestTestCase {

    static final int TESTS = 100;
    static final Queue<Long> WAITS = new ConcurrentLinkedQueue<>();

    @RepeatedTest(TESTS)
    void freshDatabase(TenantDatabase db) throws SQLException {
        WAITS.add(WaitClock.elapsed(System.nanoTime()));
        try (Connection c = db.asTenant("acme").getConnection()) {
            Workload.run(c);
        }
    }
}
