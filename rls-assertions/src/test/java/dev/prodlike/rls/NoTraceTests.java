package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The probes write as the app role, and the non-interference probe as the owner; after an audit, row contents,
 * grants, policies and sequences are unchanged.
 */
@ProductionLikeDatabase
class NoTraceTests {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "correct/per-command-policies.sql",
                "leaks/insert-without-check.sql",
                "leaks/delete-any-row.sql",
                "leaks/update-without-check.sql",
                "leaks/rls-disabled.sql",
                "leaks/owner-not-forced.sql",
                "correct/uuid-tenant-function-trigger.sql",
                "correct/shared-reference-rows.sql",
                "leaks/shared-rows-all-policy.sql",
                "leaks/definer-view-insert-only.sql",
                "leaks/definer-view-instead-rule.sql",
                "leaks/definer-view-delete-only.sql",
                "leaks/table-function.sql",
                "leaks/share-table-writable.sql",
                "leaks/definer-view-subselect.sql",
                "leaks/definer-function-ratio.sql",
                "correct/definer-view-filters-tenant.sql",
                "leaks/sentinel-shared-rows-insert.sql"
            })
    void auditLeavesNoTrace(String schema, TenantDatabase db) {
        Corpus.apply(db, schema);
        String before = Corpus.fingerprint(db);

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.tenants()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Corpus.fingerprint(db)).isEqualTo(before);
    }

    /**
     * A sequence's state is its last value and whether it was called: one set back by {@code setval(.., false)} (the
     * catalogs show no last value for it) that the insert probes call is restored to exactly that, and one never
     * called stays so.
     */
    @Test
    void sequencesNeverCalledOrSetBackKeepTheirExactState(TenantDatabase db) throws SQLException {
        Corpus.apply(db, "correct/per-command-policies.sql");
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("SELECT setval('orders_id_seq', 1000, false)");
            s.execute("CREATE SEQUENCE never_called_seq");
        }
        String before = Corpus.fingerprint(db);
        assertThat(before).contains("orders_id_seq = 1000 false").contains("never_called_seq = 1 false");

        IsolationReport report = RlsAudit.of(db).run();

        assertThat(report.findings()).isEmpty();
        assertThat(Corpus.fingerprint(db)).isEqualTo(before);
    }
}
