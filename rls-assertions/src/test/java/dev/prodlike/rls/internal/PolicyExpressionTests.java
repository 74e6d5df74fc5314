package dev.prodlike.rls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyExpressionTests {

    private final PolicyExpression expressions =
            new PolicyExpression("tenant_id", "app.current_tenant", Set.of("app_current_tenant"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "(tenant_id = current_setting('app.current_tenant'::text, true)) | CONFINES",
                "((tenant_id = current_setting('app.current_tenant'::text, true)) AND (status <> 'x'::text)) | CONFINES",
                "(tenant_id = app_current_tenant()) | CONFINES",
                "((tenant_id)::text = current_setting('app.current_tenant'::text)) | CONFINES",
                "true | IGNORES",
                "(tenant_id IS NOT NULL) | IGNORES",
                "((tenant_id = current_setting('app.current_tenant'::text, true)) OR true) | IGNORES",
                "((tenant_id = current_setting('app.current_tenant'::text, true)) OR is_public) | IGNORES",
                "((current_setting('app.current_tenant'::text, true) IS NULL) OR (tenant_id = current_setting('app.current_tenant'::text, true))) | FAILS_OPEN",
                "(current_setting('app.current_tenant'::text, true) <> ''::text) | FAILS_OPEN",
                "(owner_tenant_id = current_setting('app.current_tenant'::text, true)) | FAILS_OPEN",
                "(note = 'tenant_id'::text) | IGNORES",
                "((tenant_id = current_setting('app.current_tenant'::text, true)) OR (tenant_id IS NULL)) | SHARED",
                "(tenant_id IS NULL) | SHARED",
                "((tenant_id IS NULL) AND is_public) | SHARED",
                "((tenant_id = current_setting('app.current_tenant'::text, true)) OR (tenant_id IS NULL) OR true) | IGNORES",
                "((note = ' OR (x'::text) AND (tenant_id = current_setting('app.current_tenant'::text, true))) | CONFINES",
                "(\"tenant_id\" IS NULL) | SHARED",
                "(other_tenant_id IS NULL) | IGNORES"
            })
    void verdict(String expression, PolicyExpression.Verdict verdict) {
        assertThat(expressions.analyze(expression).verdict()).isEqualTo(verdict);
    }

    /** A constant compared with the tenant column marks shared rows; the constant is kept as written. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "((tenant_id = current_setting('app.current_tenant'::text, true)) OR (tenant_id = '*'::text)) | SHARED | *",
                "(tenant_id = 'ALL'::text) | SHARED | ALL",
                "('*'::text = tenant_id) | SHARED | *",
                "(tenant_id = '00000000-0000-0000-0000-000000000000'::uuid) | SHARED | 00000000-0000-0000-0000-000000000000",
                "((tenant_id)::text = 'it''s shared'::text) | SHARED | it's shared",
                "(tenant_id = 'x'::character varying) | SHARED | x",
                "((tenant_id = current_setting('app.current_tenant'::text, true)) OR (tenant_id IS NULL)) | SHARED | ",
                "(other_tenant_id = '*'::text) | IGNORES | ",
                "(tenant_id <> '*'::text) | IGNORES | "
            })
    void sharedByValue(String expression, PolicyExpression.Verdict verdict, String shared) {
        PolicyExpression.Result r = expressions.analyze(expression);
        assertThat(r.verdict()).isEqualTo(verdict);
        assertThat(r.shared()).isEqualTo(shared);
    }
}
