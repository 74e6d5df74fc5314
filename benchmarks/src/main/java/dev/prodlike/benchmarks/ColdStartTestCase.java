package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fixture for row 1: the time from the class's first callback (declared directly on the class, so JUnit registers it
 * before the one {@code @ProductionLikeDatabase} brings) to the first query answered by a migrated database.
 */
@ExtendWith(ColdStartTestCase.Clock.class)
@ProductionLikeDatabase
@ExtendWith(ColdStartTestCase.Provisioned.class)
public class ColdStartTestCase {

    static volatile long beforeAllNanos;
    static volatile long provisionedNanos;
    static volatile long beforeTestNanos;
    static volatile long resolvedNanos;
    static volatile long firstQueryNanos;

    /** Runs after every BeforeAllCallback, so after prodlike has provisioned the server and template. */
    @BeforeAll
    static void provisioned() {
        provisionedNanos = System.nanoTime();
    }

    @Test
    void firstMigratedDatabase(DataSource app) throws SQLException {
        resolvedNanos = System.nanoTime();
        try (Connection c = Workload.asAcme(app.getConnection());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM order_summary")) {
            rs.next();
        }
        firstQueryNanos = System.nanoTime();
    }

    /** Records when the class starts, before prodlike's callback provisions anything. */
    static final class Clock implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            beforeAllNanos = System.nanoTime();
        }
    }

    /** Records when JUnit is about to resolve the test's parameters. */
    static final class Provisioned implements BeforeTestExecutionCallback {
        @Override
        public void beforeTestExecution(ExtensionContext context) {
            beforeTestNanos = System.nanoTime();
        }
    }
}
