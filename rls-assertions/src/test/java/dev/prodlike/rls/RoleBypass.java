package dev.prodlike.rls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.prodlike.postgres.TenantDatabase;

/**
 * Shared checks for app roles that bypass RLS. Role attributes are cluster-wide, so each case runs in a class with
 * an app role of its own (and so a template of its own) instead of altering the shared one.
 */
final class RoleBypass {

    private RoleBypass() {}

    static void assertReported(TenantDatabase db, String evidence, String fix) {
        IsolationReport report = RlsAudit.of(db).run();
        assertThat(report.findings(LeakClass.ROLE_BYPASSES_RLS))
                .as(report.toString())
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.relation()).isEqualTo(db.appRole());
                    assertThat(f.evidence()).contains(evidence);
                    assertThat(f.fix()).isEqualTo(fix);
                });
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> RlsAssertions.assertThat(db).appRole().cannotBypassRowLevelSecurity())
                .withMessageContaining("Expecting role " + db.appRole())
                .withMessageContaining("to be bound by row-level security")
                .withMessageContaining(db.appRole() + " — ROLE_BYPASSES_RLS")
                .withMessageContaining(evidence)
                .withMessageContaining(fix);
    }
}
