package dev.prodlike.rls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.rls.internal.ProbeBatch.Outcome;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A batch reports the same outcomes whether its probes report one by one (with a time budget) or collected into one
 * notice (without): values and errors with quotes, backslashes, control characters, non-ASCII text and line breaks
 * come back unchanged.
 */
@ProductionLikeDatabase
class ProbeBatchTests {

    private static final String ODD = "SELECT 'quote \" backslash \\ tab ' || chr(9) || ' soh ' || chr(1)"
            + " || ' newline ' || chr(10) || ' \u00e9 \ud83d\ude00 ' || current_setting('app.current_tenant', true)";

    private static final List<Probe> PROBES = List.of(
            new Probe(null, Step.query("SELECT coalesce(current_setting('app.current_tenant', true), 'never set')")),
            new Probe("acme", Step.query(ODD)),
            new Probe("acme", Step.write("SELECT 1 UNION ALL SELECT 2"), Step.query("SELECT '\\\\'")),
            new Probe("globex", Step.query("SELECT 1 / 0")),
            new Probe(
                    "globex",
                    Step.write("DO $x$ BEGIN RAISE EXCEPTION 'first line' USING DETAIL = 'd',"
                            + " HINT = 'h', ERRCODE = '22023'; END $x$")),
            new Probe("initech", Step.query("SELECT NULL")),
            new Probe(null, Step.query("SELECT current_setting('app.current_tenant', true)")));

    @Test
    void collectedAndStreamedReportsAreTheSame(TenantDatabase db) throws SQLException {
        List<Outcome> collected = run(db, PROBES, null);
        List<Outcome> streamed = run(db, PROBES, "10s");

        assertThat(collected).isEqualTo(streamed);
        assertThat(collected.get(0).values()).containsExactly("never set");
        assertThat(collected.get(1).values())
                .containsExactly("quote \" backslash \\ tab \t soh \u0001 newline \n" + " \u00e9 \ud83d\ude00 acme");
        assertThat(collected.get(2).values()).containsExactly("2", "\\\\");
        assertThat(collected.get(3).sqlState()).isEqualTo("22012");
        assertThat(collected.get(3).message()).isEqualTo("division by zero");
        assertThat(collected.get(4).error()).isEqualTo("first line (SQLSTATE 22023)");
        assertThat(collected.get(5).values()).containsExactly("");
        assertThat(collected.get(6).values()).containsExactly("");
    }

    @Test
    void probesRunWithoutParallelWorkersOnAnyConnection(TenantDatabase db) throws SQLException {
        List<Probe> probes =
                List.of(new Probe("acme", Step.query("SELECT current_setting('max_parallel_workers_per_gather')")));
        for (String budget : new String[] {null, "10s"}) {
            try (Connection c = db.ownerDataSource().getConnection()) {
                c.setAutoCommit(false);
                assertThat(ProbeBatch.run(c, db.tenantSetting(), probes, budget)
                                .get(0)
                                .values())
                        .as("with time budget " + budget)
                        .containsExactly("0");
            }
        }
    }

    @Test
    void aBatchCancelledByStatementTimeoutFailsNamingTheSettingAndTheFix(TenantDatabase db) throws SQLException {
        try (Connection c = db.appDataSource().getConnection()) {
            c.createStatement().execute("SET statement_timeout = '20ms'");
            c.setAutoCommit(false);
            List<Probe> slow = List.of(new Probe("acme", Step.query("SELECT pg_sleep(1)::text")));

            assertThatExceptionOfType(IllegalStateException.class)
                    .isThrownBy(() -> ProbeBatch.run(c, "app.current_tenant", slow, null))
                    .withMessageStartingWith(
                            "The RLS audit's batch of 1 probes as role " + db.appRole() + " was cancelled (")
                    .withMessageContaining("SQLSTATE 57014) with statement_timeout = 20ms: a batch runs as one"
                            + " statement and needs longer.")
                    .withMessageEndingWith("Fix: let the audit's connections run without it, e.g. ALTER ROLE \""
                            + db.appRole() + "\" IN DATABASE \"" + db.databaseName() + "\" RESET statement_timeout;"
                            + " (or raise it above a batch's duration)");
        }
    }

    @Test
    void messagesKeepOnlyTheirFirstLine(TenantDatabase db) throws SQLException {
        List<Probe> probes = List.of(
                new Probe("acme", Step.write("DO $x$ BEGIN RAISE EXCEPTION 'one%two'," + " chr(10); END $x$")),
                new Probe("acme", Step.write("DO $x$ BEGIN RAISE EXCEPTION 'three%four'," + " chr(13); END $x$")));
        assertThat(run(db, probes, null)).extracting(Outcome::message).containsExactly("one", "three");
    }

    /** On a connection of its own: the first probe sees the tenant setting never set. */
    private static List<Outcome> run(TenantDatabase db, List<Probe> probes, String timeout) throws SQLException {
        try (Connection c = db.appDataSource().getConnection()) {
            c.setAutoCommit(false);
            return ProbeBatch.run(c, db.tenantSetting(), probes, timeout);
        }
    }
}
