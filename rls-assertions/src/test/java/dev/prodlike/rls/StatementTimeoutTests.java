package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import org.junit.jupiter.api.Test;

/**
 * A statement_timeout on the app role, shorter than a batch of probes, must not turn the probes into "not run": the
 * audit runs them with its own timeout and finds what it finds without one.
 */
@ProductionLikeDatabase
class StatementTimeoutTests {

    @Test
    void aRoleStatementTimeoutShorterThanABatchChangesNoFinding(TenantDatabase db) {
        Corpus.apply(db, "leaks/broad-permissive.sql");
        IsolationReport without = RlsAudit.of(db).run();
        // in this test's database only: other test classes use the same role at the same time
        String scope = "ALTER ROLE " + db.appRole() + " IN DATABASE " + db.databaseName();
        Corpus.execute(db, scope + " SET statement_timeout = '1ms'");
        IsolationReport with;
        try {
            with = RlsAudit.of(db).run();
        } finally { // a setting outside the database's rows: no later test may inherit it with this database
            Corpus.execute(db, scope + " RESET statement_timeout");
        }

        assertThat(without.findings(LeakClass.POLICY_IGNORES_TENANT))
                .singleElement()
                .satisfies(f -> assertThat(f.consequences()).isNotEmpty());
        assertThat(with.findings()).as(with.toString()).isEqualTo(without.findings());
    }
}
