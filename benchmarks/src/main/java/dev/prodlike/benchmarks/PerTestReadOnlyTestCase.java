package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fixture for the read-only row: the tests of {@link PerTestTestCase}, but each only reads (as tenant acme), so
 * prodlike can hand a returned database to a later test instead of dropping it and cloning again. Records into
 * {@link PerTestTestCase}'s counters.
 */
@ExtendWith(WaitClock.class)
@ProductionLikeDatabase
public class PerTestReadOnlyTestCase {

    @RepeatedTest(PerTestTestCase.TESTS)
    void freshDatabase(TenantDatabase db) throws SQLException {
        PerTestTestCase.measure(db, true);
    }
}
