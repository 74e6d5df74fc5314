package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ColdStartTestCase} on the scale schema (30 migrations plus 300 tables and ~50 MB of reference rows). */
@ExtendWith(ColdStartTestCase.Clock.class)
@ProductionLikeDatabase(migrations = ZonkyMain.SCALE_LOCATIONS)
@ExtendWith(ColdStartTestCase.Provisioned.class)
public class ColdStart300TestCase {

    @BeforeAll
    static void provisioned() {
        ColdStartTestCase.provisioned();
    }

    @Test
    void firstMigratedDatabase(DataSource app) throws SQLException {
        new ColdStartTestCase().firstMigratedDatabase(app);
    }
}
