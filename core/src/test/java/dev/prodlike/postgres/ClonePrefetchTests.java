package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A template's pool keeps ready only as many clones as its tests have asked for, up to {@code postgres.prefetch}: a
 * class with one test that starts from the cached cluster's clone makes no copy beside it (its database, handed on,
 * would serve a second test), let alone the full prefetch, whose copies would only take the CPUs from that test. The fixture's template is its own, so no other class's tests count.
 */
class ClonePrefetchTests {

    /** The databases of the fixture's template once its pool stopped making clones, and how many that was. */
    static volatile long clonesWhileItsOnlyTestRan;

    /** One test; it waits until its pool stops making clones, and counts them. */
    @ProductionLikeDatabase(migrations = "classpath:db/slowstart")
    static class OneTestTestCase {
        @Test
        void countsTheClonesMadeForIt(TenantDatabase db) throws Exception {
            clonesWhileItsOnlyTestRan = settledCloneCount(db);
        }
    }

    @Test
    void aClassWithOneTestMakesNoCopyBesideItsOwnDatabase(@TempDir Path reports) throws Exception {
        clonesWhileItsOnlyTestRan = -1;
        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\npostgres.app-role=orders_app\npostgres.tenant-setting=app.current_tenant\n"
                        // a setting no other class's profile has: a server of its own, whose report is this class's
                        + "postgres.settings.log_min_messages=notice\n"
                        + "provider=embedded\npostgres.prefetch=3\nreport-dir="
                        + reports.toString().replace("\\", "/") + "\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(OneTestTestCase.class))
                        .execute());
        TestKitEvents.assertAllSucceeded(results, 1);
        // its own database only: the run started from the cached cluster's clone, and the pool makes the next copy
        // when a second test asks (or this database comes back changed), not beside the first test; before, it made
        // one during the test, and earlier all three as soon as the test took its database
        assertThat(clonesWhileItsOnlyTestRan).isEqualTo(1L);
        // none when the run started with clones to spare (a kept Docker cluster holds four), never the prefetch
        assertThat(DatabaseReuseTests.reportNumber(reports, "clonesCreated")).isBetween(0L, 2L);
    }

    /**
     * @return the clones of {@code db}'s template its pool made (and {@code db}) once their number stayed the same for
     *     0.5 s (at most 10 s)
     */
    static long settledCloneCount(TenantDatabase db) throws SQLException, InterruptedException {
        String name = db.databaseName();
        String template = name.substring(0, name.lastIndexOf('_'));
        long last = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Connection c = db.ownerDataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM pg_database WHERE starts_with(datname, ?)"
                                + " AND datname <> ? AND (datname !~ ? OR datname = ?)")) {
            ps.setString(1, template + "_");
            ps.setString(2, template);
            // clones made before the cluster was kept (seeds: one embedded, four in Docker) are not the pool's,
            // except the test's own
            ps.setString(3, "^" + template + "_s[0-9]+$");
            ps.setString(4, name);
            while (System.nanoTime() < deadline) {
                long n;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getLong(1);
                }
                if (n != last) {
                    last = n;
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > 500_000_000L) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(query(c, "SELECT current_database()")).isEqualTo(name);
        }
        return last;
    }
}
