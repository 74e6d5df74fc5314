package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.postgres.internal.TestDatabase;
import dev.prodlike.postgres.internal.Verdict;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.SessionsOf;
import dev.prodlike.testing.TestKitEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A database whose test changed nothing is handed to a later test instead of being dropped and cloned again; a test
 * that changed anything, even what writes no rows (a per-database setting, a comment, a VACUUM), never passes its
 * database on, and a sequence it moved is set back first. Every fixture test first checks that its database is
 * exactly fresh.
 */
class DatabaseReuseTests {

    static final List<String> NAMES = new CopyOnWriteArrayList<>();
    /** Each fixture test's name and the pool's verdict on its database, in the order the tests ran. */
    static final List<String> VERDICTS = new CopyOnWriteArrayList<>();

    /** The first test's database is a new clone: what the migrations left in orders and its sequence. */
    static volatile String freshOrders;

    static volatile String freshSequence;

    /** The fresh state: the migrations' rows and sequence, nothing set on the database, nothing vacuumed. */
    static void assertFresh(TenantDatabase db) throws SQLException {
        NAMES.add(db.databaseName());
        try (Connection c = db.ownerDataSource().getConnection()) {
            String orders = query(c, "SELECT count(*) || ',' || coalesce(sum(amount), 0) FROM orders");
            String sequence = query(c, "SELECT last_value || ':' || is_called FROM orders_id_seq");
            if (NAMES.size() == 1) {
                freshOrders = orders;
                freshSequence = sequence;
            }
            assertThat(orders).isEqualTo(freshOrders);
            assertThat(sequence).isEqualTo(freshSequence);
            assertThat(query(
                            c,
                            "SELECT count(*) FROM pg_db_role_setting WHERE setdatabase ="
                                    + " (SELECT oid FROM pg_database WHERE datname = current_database())"))
                    .isEqualTo("0");
            assertThat(query(
                            c,
                            "SELECT shobj_description((SELECT oid FROM pg_database WHERE datname ="
                                    + " current_database()), 'pg_database')"))
                    .isNull();
            assertThat(
                            query(
                                    c,
                                    "SELECT coalesce(sum(t.vacuum_count + t.analyze_count), 0)"
                                            + " FROM pg_stat_all_tables t JOIN pg_class r ON r.oid = t.relid WHERE NOT r.relisshared"))
                    .isEqualTo("0");
        }
    }

    /**
     * Returns a test's database to the pool before the test ends and waits for the pool's verdict on it: the next
     * test takes its database only after this one's was decided (and, if handed on, is ready), so which databases
     * come back does not depend on how fast the machine is. First waits until the test's own connections have left
     * the server (the pool would wait for them only briefly, then answer "undecided").
     */
    static void handBack(TenantDatabase db, String test) throws SQLException, InterruptedException {
        handBack(db, test, VERDICTS);
    }

    /** {@link #handBack(TenantDatabase, String)}, recording the verdict into a list of the caller's. */
    static void handBack(TenantDatabase db, String test, List<String> verdicts)
            throws SQLException, InterruptedException {
        try (Connection c = SessionsOf.admin(db).getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ?"
                        // the idle owner session the pool keeps in a database it may hand on
                        + " AND application_name IS DISTINCT FROM 'prodlike-reuse-check'"
                        // the app role's sessions kept for the next test: the one opened ahead, the one parked
                        + " AND pid <> ALL (?)")) {
            ps.setString(1, db.databaseName());
            ps.setArray(
                    2,
                    c.createArrayOf("int4", ((TestDatabase) db).keptBackends().toArray()));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!count(ps).equals("0")) {
                assertThat(System.nanoTime())
                        .as("connections to " + db.databaseName() + " left")
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        Verdict verdict = ((TestDatabase) db).closeAndAwaitVerdict(Duration.ofMinutes(1));
        verdicts.add(test + " " + verdict);
    }

    private static String count(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @ProductionLikeDatabase
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ChangesWithoutRowsTestCase {
        @Test
        @Order(1)
        void readsOnly(TenantDatabase db) throws Exception {
            assertFresh(db);
            handBack(db, "readsOnly");
        }

        @Test
        @Order(2)
        void advancesASequence(TenantDatabase db) throws Exception {
            assertFresh(db);
            try (Connection c = db.appDataSource().getConnection()) {
                query(c, "SELECT nextval('orders_id_seq')");
            }
            handBack(db, "advancesASequence");
        }

        @Test
        @Order(3)
        void readsOnlyAgain(TenantDatabase db) throws Exception {
            assertFresh(db);
            handBack(db, "readsOnlyAgain");
        }

        @Test
        @Order(4)
        void rewindsASequence(TenantDatabase db) throws Exception {
            assertFresh(db);
            try (Connection c = db.ownerDataSource().getConnection()) {
                query(c, "SELECT setval('orders_id_seq', 42, false)");
            }
            handBack(db, "rewindsASequence");
        }

        @Test
        @Order(5)
        void setsADatabaseSetting(TenantDatabase db) throws Exception {
            assertFresh(db);
            try (Connection c = db.ownerDataSource().getConnection()) {
                run(c, "ALTER DATABASE " + db.databaseName() + " SET work_mem = '8MB'");
            }
            handBack(db, "setsADatabaseSetting");
        }

        @Test
        @Order(6)
        void commentsOnTheDatabase(TenantDatabase db) throws Exception {
            assertFresh(db);
            try (Connection c = db.ownerDataSource().getConnection()) {
                run(c, "COMMENT ON DATABASE " + db.databaseName() + " IS 'touched'");
            }
            handBack(db, "commentsOnTheDatabase");
        }

        @Test
        @Order(7)
        void vacuums(TenantDatabase db) throws Exception {
            assertFresh(db);
            try (Connection c = db.ownerDataSource().getConnection()) {
                run(c, "VACUUM orders");
            }
            handBack(db, "vacuums");
        }

        @Test
        @Order(8)
        void writesAndRollsBack(TenantDatabase db) throws Exception {
            assertFresh(db);
            try (Connection c = db.ownerDataSource().getConnection()) {
                c.setAutoCommit(false);
                run(c, "INSERT INTO tenants (id, name) VALUES ('t', 'T')");
                c.rollback();
            }
            handBack(db, "writesAndRollsBack");
        }

        @RepeatedTest(12)
        @Order(9)
        void readsOnlyOnceMore(TenantDatabase db) throws Exception {
            assertFresh(db);
            handBack(db, "readsOnlyOnceMore");
        }
    }

    @Test
    void aDatabaseIsHandedOnOnlyWhenItsTestChangedNothing(@TempDir Path reports) throws Exception {
        NAMES.clear();
        VERDICTS.clear();
        EngineExecutionResults results = runWithOneCloneReady(ChangesWithoutRowsTestCase.class, "", reports);
        TestKitEvents.assertAllSucceeded(results, 20);
        List<String> expected = new ArrayList<>(List.of(
                "readsOnly UNCHANGED",
                "advancesASequence RESET",
                "readsOnlyAgain UNCHANGED",
                "rewindsASequence RESET",
                "setsADatabaseSetting CHANGED",
                "commentsOnTheDatabase CHANGED",
                "vacuums CHANGED",
                "writesAndRollsBack CHANGED"));
        // after four changed databases in a row only every eighth is checked, until one is handed on again
        expected.addAll(Collections.nCopies(7, "readsOnlyOnceMore NOT_CHECKED"));
        expected.addAll(Collections.nCopies(5, "readsOnlyOnceMore UNCHANGED"));
        assertThat(VERDICTS).containsExactlyElementsOf(expected);
        assertThat(reportNumber(reports, "clonesReused")).isEqualTo(7);
        assertThat(reportNumber(reports, "clonesReset")).isEqualTo(2);
        assertThat(reportNumber(reports, "clonesCheckedChanged")).isEqualTo(4);
        assertThat(reportNumber(reports, "clonesCheckedUndecided")).isZero();
        // and the databases handed on served later tests, which found them fresh
        assertThat(NAMES.stream().distinct().count()).isLessThan(NAMES.size());
    }

    /** Each test finds exactly the migrations' tenants, then adds one and commits it. */
    @ProductionLikeDatabase
    static class WritesUncountedTestCase {
        static volatile String freshTenants;

        @RepeatedTest(8)
        void addsATenant(TenantDatabase db) throws Exception {
            NAMES.add(db.databaseName());
            try (Connection c = db.ownerDataSource().getConnection()) {
                String tenants = query(c, "SELECT count(*) FROM tenants");
                if (freshTenants == null) {
                    freshTenants = tenants;
                }
                assertThat(tenants).as("tenants in " + db.databaseName()).isEqualTo(freshTenants);
                run(c, "INSERT INTO tenants (id, name) VALUES ('uncounted', 'U')");
            }
            handBack(db, "addsATenant");
        }
    }

    @Test
    void aServerThatCountsNoWritesHandsNoDatabaseOn(@TempDir Path reports) throws Exception {
        WritesUncountedTestCase.freshTenants = null;
        NAMES.clear();
        VERDICTS.clear();
        // track_counts=off: the statistics every verdict reads stay at zero whatever a test writes
        EngineExecutionResults results =
                runWithOneCloneReady(WritesUncountedTestCase.class, "postgres.settings.track_counts=off\n", reports);
        TestKitEvents.assertAllSucceeded(results, 8);
        // every database was checked and none handed on: the statistics of such a server prove nothing
        assertThat(VERDICTS).containsExactlyElementsOf(Collections.nCopies(8, "addsATenant UNDECIDED"));
        assertThat(NAMES).doesNotHaveDuplicates();
        assertThat(reportNumber(reports, "clonesReused")).isZero();
        assertThat(reportNumber(reports, "clonesReset")).isZero();
    }

    /** Per test: its database, the pids of the pool's idle sessions in it ("none"), what terminateConnections() ended. */
    static final List<String> SESSIONS = new CopyOnWriteArrayList<>();

    /** Reads only, so each database comes back; notes the session the pool keeps in it. */
    @ProductionLikeDatabase
    static class KeptSessionTestCase {
        @RepeatedTest(5)
        void readsOnly(TenantDatabase db) throws Exception {
            NAMES.add(db.databaseName());
            String kept;
            int ended;
            try (Connection c = db.ownerDataSource().getConnection()) {
                kept = query(
                        c,
                        "SELECT coalesce(string_agg(pid::text, ','), 'none') FROM pg_stat_activity WHERE datname ="
                                + " current_database() AND application_name = 'prodlike-reuse-check'");
                // Ended while still open, so the count is exactly this connection: one closed just before can still
                // be listed while its backend exits, and was counted once under load.
                ended = db.faults().terminateConnections();
            }
            SESSIONS.add(db.databaseName() + " " + kept + " " + ended);
            handBack(db, "readsOnly");
        }
    }

    /**
     * The check of a returned database runs on an owner session the pool keeps in it (its caches stay warm for the
     * next check): a test sees it idle, named {@code prodlike-reuse-check}, and {@code terminateConnections()} leaves
     * it alone.
     */
    @Test
    void theSessionThatChecksADatabaseStaysInItAndIsNotTheTests(@TempDir Path reports) throws Exception {
        NAMES.clear();
        VERDICTS.clear();
        SESSIONS.clear();
        TestKitEvents.assertAllSucceeded(runWithOneCloneReady(KeptSessionTestCase.class, "", reports), 5);
        assertThat(VERDICTS).containsOnly("readsOnly UNCHANGED");
        java.util.Map<String, String> sessionOf = new java.util.HashMap<>();
        int again = 0;
        for (String seen : SESSIONS) {
            String[] f = seen.split(" ");
            assertThat(f[2])
                    .as("connections terminateConnections() ended (the test's own open one only), in " + seen)
                    .isEqualTo("1");
            if (sessionOf.containsKey(f[0])) {
                again++;
                assertThat(f[1]).as(seen).matches("[0-9]+");
                if (!sessionOf.get(f[0]).equals("none")) {
                    assertThat(f[1])
                            .as("the same session as before, in " + seen)
                            .isEqualTo(sessionOf.get(f[0]));
                }
            } else {
                assertThat(f[1])
                        .as("a database no check has seen yet, in " + seen)
                        .isEqualTo("none");
            }
            sessionOf.put(f[0], f[1]);
        }
        assertThat(again).as("tests that got a database back: " + SESSIONS).isPositive();
    }

    /**
     * Runs a fixture on the embedded server with one clone kept ready, so that databases come back around within
     * the fixture, and the report written to {@code reports}.
     */
    /**
     * Runs a fixture with one clone ready. Where the provider is Docker (CI's Docker step sets it), its databases stay
     * in {@code pg_default}: with a tablespace in memory the kept image's clones make way for copies there when they
     * come back ({@code DockerClusterCacheTests}), and the verdicts this class counts are the judge's alone.
     */
    private static EngineExecutionResults runWithOneCloneReady(Class<?> fixture, String moreProfile, Path reports)
            throws Exception {
        return ProfileOverride.with(
                "postgres.version=16.4\n"
                        + "postgres.migrations=classpath:db/migration\npostgres.app-role=orders_app\n"
                        + "postgres.tenant-setting=app.current_tenant\nprovider=embedded\npostgres.prefetch=1\n"
                        + "docker.clones-in-memory=false\n"
                        + moreProfile + "report-dir=" + reports.toString().replace("\\", "/") + "\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(fixture))
                        .execute());
    }

    /** @return a number the run's environment report holds under {@code key} */
    static long reportNumber(Path reports, String key) throws java.io.IOException {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([0-9]+)")
                .matcher(Files.readString(reports.resolve("environment.json")));
        assertThat(m.find()).as(key + " in the report").isTrue();
        return Long.parseLong(m.group(1));
    }
}
