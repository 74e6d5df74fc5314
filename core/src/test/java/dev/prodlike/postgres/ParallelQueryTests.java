package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Parallel queries run with their workers on prodlike's servers: their shared memory comes from where the server
 * keeps its dynamic shared memory (the embedded provider: files in the data directory, so that a killed server
 * leaves nothing in {@code /dev/shm}).
 */
@ProductionLikeDatabase(migrations = "classpath:db/ahead")
class ParallelQueryTests {

    @Test
    void aParallelScanLaunchesItsWorkersAndCountsEveryRow(TenantDatabase db) throws Exception {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE parallel_rows AS SELECT g FROM generate_series(1, 200000) g");
            s.execute("ANALYZE parallel_rows");
            s.execute("SET parallel_setup_cost = 0");
            s.execute("SET parallel_tuple_cost = 0");
            s.execute("SET min_parallel_table_scan_size = 0");
            s.execute("SET max_parallel_workers_per_gather = 2");

            String plan = query(c, "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM parallel_rows");
            Matcher launched = Pattern.compile("\"Workers Launched\": (\\d+)").matcher(plan);
            assertThat(launched.find()).as("a parallel plan: %s", plan).isTrue();
            assertThat(Integer.parseInt(launched.group(1)))
                    .as("workers launched")
                    .isPositive();
            assertThat(query(c, "SELECT count(*) FROM parallel_rows")).isEqualTo("200000");
        }
    }
}
