package dev.prodlike.postgres;

import static dev.prodlike.postgres.ProductionLikeDatabaseTests.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A database whose test only added rows to tables the migrations leave empty is emptied again and handed to a later
 * test; one whose test did anything a reset cannot undo (a seeded row, a table with an ON TRUNCATE trigger, a table a
 * seeded row refers to, a schema change, a temporary table) is dropped. Every fixture test first checks that its
 * database holds exactly what a fresh clone holds: every table's rows and every sequence's state.
 */
class DatabaseResetTests {

    static final List<String> NAMES = new CopyOnWriteArrayList<>();
    /** database name to the test that wrote into it through tables the reset may empty */
    static final Map<String, String> RESET_WRITERS = new ConcurrentHashMap<>();
    /** Each fixture test's name and the pool's verdict on its database, in the order the tests ran. */
    static final List<String> VERDICTS = new CopyOnWriteArrayList<>();

    static volatile String fresh;

    /** Every table's row count and content digest, every sequence's state: what the migrations left. */
    static void assertFresh(TenantDatabase db) throws SQLException {
        NAMES.add(db.databaseName());
        try (Connection c = db.ownerDataSource().getConnection()) {
            String state = query(
                    c,
                    "SELECT string_agg(t || '=' || n, ',' ORDER BY t) FROM ("
                            + " SELECT 'plans' t, count(*) || ':' || string_agg(id || name, '' ORDER BY id) n FROM plans"
                            + " UNION ALL SELECT 'notes', count(*)::text FROM notes"
                            + " UNION ALL SELECT 'note_tags', count(*)::text FROM note_tags"
                            + " UNION ALL SELECT 'audit', count(*)::text FROM audit"
                            + " UNION ALL SELECT 'audit_truncations', count(*)::text FROM audit_truncations"
                            + " UNION ALL SELECT 'attachments', count(*)::text FROM attachments"
                            + " UNION ALL SELECT 'featured', count(*) || ':' || string_agg(id || ':' ||"
                            + "     coalesce(attachment_id::text, '-'), '') FROM featured"
                            + " UNION ALL SELECT 'notes_id_seq', last_value || ':' || is_called FROM notes_id_seq"
                            + " UNION ALL SELECT 'audit_id_seq', last_value || ':' || is_called FROM audit_id_seq"
                            + " UNION ALL SELECT 'attachments_id_seq', last_value || ':' || is_called FROM attachments_id_seq"
                            + " UNION ALL SELECT 'tables', count(*)::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                            + ") s");
            if (fresh == null) {
                fresh = state;
            }
            assertThat(state).isEqualTo(fresh);
        }
    }

    static void run(TenantDatabase db, String... sql) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** About 100 kB that does not compress: stored in the notes table's TOAST table. */
    static final String LARGE_BODY =
            "(SELECT string_agg(md5(i::text || random()::text), '')" + " FROM generate_series(1, 3000) i)";

    @ProductionLikeDatabase
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ResetTestCase {
        @Test
        @Order(1)
        void readsOnly(TenantDatabase db) throws Exception {
            assertFresh(db);
            DatabaseReuseTests.handBack(db, "readsOnly", VERDICTS);
        }

        @Test
        @Order(2)
        void addsNotesWithTagsAndALargeBody(TenantDatabase db) throws Exception {
            assertFresh(db);
            RESET_WRITERS.put(db.databaseName(), "addsNotesWithTagsAndALargeBody");
            run(
                    db,
                    "INSERT INTO notes (tenant_id, plan, body) VALUES ('acme', 'pro', " + LARGE_BODY + ")",
                    "INSERT INTO notes (tenant_id, body) VALUES ('globex', 'short')",
                    "INSERT INTO note_tags (note_id, tag) SELECT id, 'x' FROM notes");
            DatabaseReuseTests.handBack(db, "addsNotesWithTagsAndALargeBody", VERDICTS);
        }

        @Test
        @Order(3)
        void readsOnlyAfterNotes(TenantDatabase db) throws Exception {
            assertFresh(db);
            DatabaseReuseTests.handBack(db, "readsOnlyAfterNotes", VERDICTS);
        }

        @Test
        @Order(4)
        void addsANoteAndRenamesAPlan(TenantDatabase db) throws Exception {
            assertFresh(db);
            run(
                    db,
                    "INSERT INTO notes (tenant_id, body) VALUES ('acme', 'n')",
                    "UPDATE plans SET name = 'Professional' WHERE id = 'pro'");
            DatabaseReuseTests.handBack(db, "addsANoteAndRenamesAPlan", VERDICTS);
        }

        @Test
        @Order(5)
        void writesAnAuditRow(TenantDatabase db) throws Exception {
            assertFresh(db);
            run(db, "INSERT INTO audit (what) VALUES ('login')");
            DatabaseReuseTests.handBack(db, "writesAnAuditRow", VERDICTS);
        }

        @Test
        @Order(7)
        void addsAnAttachmentASeededRowCouldReferTo(TenantDatabase db) throws Exception {
            assertFresh(db);
            run(db, "INSERT INTO attachments (body) VALUES ('a')");
            DatabaseReuseTests.handBack(db, "addsAnAttachmentASeededRowCouldReferTo", VERDICTS);
        }

        @Test
        @Order(8)
        void createsATableAndWritesNotes(TenantDatabase db) throws Exception {
            assertFresh(db);
            run(db, "CREATE TABLE scratch (id int)", "INSERT INTO notes (tenant_id, body) VALUES ('acme', 'n')");
            DatabaseReuseTests.handBack(db, "createsATableAndWritesNotes", VERDICTS);
        }

        @Test
        @Order(10)
        void usesATemporaryTable(TenantDatabase db) throws Exception {
            assertFresh(db);
            run(
                    db,
                    "CREATE TEMPORARY TABLE t AS SELECT 1 AS x",
                    "INSERT INTO notes (tenant_id, body) SELECT 'acme', 'n' FROM t");
            DatabaseReuseTests.handBack(db, "usesATemporaryTable", VERDICTS);
        }

        @Test
        @Order(6)
        void addsNotesAndDeletesThemAgain(TenantDatabase db) throws Exception {
            assertFresh(db);
            RESET_WRITERS.put(db.databaseName(), "addsNotesAndDeletesThemAgain");
            run(
                    db,
                    "INSERT INTO notes (tenant_id, body) SELECT 'acme', 'n' || i FROM generate_series(1, 50) i",
                    "DELETE FROM notes WHERE id % 2 = 0");
            DatabaseReuseTests.handBack(db, "addsNotesAndDeletesThemAgain", VERDICTS);
        }

        @Test
        @Order(9)
        void rollsBackItsNotes(TenantDatabase db) throws Exception {
            assertFresh(db);
            RESET_WRITERS.put(db.databaseName(), "rollsBackItsNotes");
            try (Connection c = db.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("INSERT INTO notes (tenant_id, body) VALUES ('acme', 'n')");
                c.rollback();
            }
            DatabaseReuseTests.handBack(db, "rollsBackItsNotes", VERDICTS);
        }

        @RepeatedTest(14)
        @Order(11)
        void readsOnlyOnceMore(TenantDatabase db) throws Exception {
            assertFresh(db);
            DatabaseReuseTests.handBack(db, "readsOnlyOnceMore", VERDICTS);
        }
    }

    @Test
    void aDatabaseWhoseTestOnlyFilledEmptyTablesIsEmptiedAndHandedOn(@TempDir Path reports) throws Exception {
        NAMES.clear();
        RESET_WRITERS.clear();
        VERDICTS.clear();
        fresh = null;
        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\n"
                        + "postgres.migrations=classpath:db/reset\npostgres.app-role=notes_app\n"
                        + "postgres.tenant-setting=app.current_tenant\nprovider=embedded\npostgres.prefetch=1\n"
                        + "report-dir=" + reports.toString().replace("\\", "/") + "\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(ResetTestCase.class))
                        .execute());
        TestKitEvents.assertAllSucceeded(results, 24);
        // each database is judged before the next test takes one (DatabaseReuseTests.handBack): the three tests
        // that only filled empty tables get theirs emptied and handed on, the five that changed what a reset
        // cannot undo lose theirs, and every other test's database is handed on as it is
        List<String> expected = new ArrayList<>(List.of(
                "readsOnly UNCHANGED",
                "addsNotesWithTagsAndALargeBody RESET",
                "readsOnlyAfterNotes UNCHANGED",
                "addsANoteAndRenamesAPlan CHANGED",
                "writesAnAuditRow CHANGED",
                "addsNotesAndDeletesThemAgain RESET",
                "addsAnAttachmentASeededRowCouldReferTo CHANGED",
                "createsATableAndWritesNotes CHANGED",
                "rollsBackItsNotes RESET",
                "usesATemporaryTable CHANGED"));
        expected.addAll(Collections.nCopies(14, "readsOnlyOnceMore UNCHANGED"));
        assertThat(VERDICTS).containsExactlyElementsOf(expected);
        assertThat(DatabaseReuseTests.reportNumber(reports, "clonesReset")).isEqualTo(3);
        assertThat(DatabaseReuseTests.reportNumber(reports, "clonesCheckedChanged"))
                .isEqualTo(5);
        assertThat(DatabaseReuseTests.reportNumber(reports, "clonesReused")).isEqualTo(16);
        // and a database a writer used came back to a later test (which found it fresh): writers' databases were
        // taken more often than there are such databases
        assertThat(NAMES.stream().filter(RESET_WRITERS::containsKey).count()).isGreaterThan(RESET_WRITERS.size());
    }
}
