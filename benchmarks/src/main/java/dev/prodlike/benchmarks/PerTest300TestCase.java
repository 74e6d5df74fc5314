package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fixture for the scale row: the tests of {@link PerTestTestCase} on the 30-migration schema plus 300 more tables
 * and ~50 MB of reference rows ({@code db/scale300}). Records into {@link PerTestTestCase}'s counters.
 */
@ExtendWith(WaitClock.class)
@ProductionLikeDatabase(migrations = ZonkyMain.SCALE_LOCATIONS)
public class PerTest300TestCase {

    /** Each clone copies ~90 MB: 100 tests keep the harness within minutes; per-test figures are compared. */
    static final int TESTS = 100;

    @RepeatedTest(TESTS)
    void freshDatabase(TenantDatabase db) throws SQLException {
        PerTestTestCase.measure(db);
    }
}
