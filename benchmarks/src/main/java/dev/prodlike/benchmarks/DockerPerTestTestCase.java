package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fixture for the Docker row: the same per-test wait as {@link PerTestTestCase} (last callback before the method to
 * its first line, when prodlike hands out a clone), without sampling the server's memory through /proc (the server
 * runs in a container, its process ids are not this machine's). {@value #TESTS} tests unless
 * {@code -Dbench.docker.tests} says otherwise (a parameterized test, so that a quick check can run fewer).
 */
@ExtendWith(WaitClock.class)
@ProductionLikeDatabase
public class DockerPerTestTestCase {

    static final int TESTS = 100;
    static final Queue<Long> WAITS = new ConcurrentLinkedQueue<>();

    static IntStream tests() {
        return IntStream.rangeClosed(1, Integer.getInteger("bench.docker.tests", TESTS));
    }

    @ParameterizedTest
    @MethodSource("tests")
    void freshDatabase(int test, TenantDatabase db) throws SQLException {
        WAITS.add(WaitClock.elapsed(System.nanoTime()));
        try (Connection c = db.asTenant("acme").getConnection()) {
            Workload.run(c);
        }
    }
}
