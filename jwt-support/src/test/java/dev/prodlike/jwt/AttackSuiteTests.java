package dev.prodlike.jwt;

import static dev.prodlike.jwt.JwtAssertions.assertThatValidator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.jwt.Validators.Hole;
import dev.prodlike.jwt.internal.LookAlike;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

@JwtIssuer
class AttackSuiteTests {

    @Test
    void correctJjwtValidatorPassesOnRs256(TestTokens tokens) throws Exception {
        assertThatValidator(Validators.jjwt(tokens)).rejectsKnownAttacks(tokens);
    }

    @Test
    @JwtIssuer(algorithm = "PS256")
    void correctJjwtValidatorPassesOnPs256(TestTokens tokens) throws Exception {
        assertThatValidator(Validators.jjwt(tokens)).rejectsKnownAttacks(tokens);
    }

    @Test
    @JwtIssuer(algorithm = "ES256")
    void correctJjwtValidatorPassesOnEs256(TestTokens tokens) throws Exception {
        assertThatValidator(Validators.jjwt(tokens)).rejectsKnownAttacks(tokens);
    }

    @Test
    void correctHandRolledValidatorPasses(TestTokens tokens) {
        assertThatValidator(Validators.handRolled(tokens)).rejectsKnownAttacks(tokens);
    }

    @Test
    @JwtIssuer(algorithm = "ES256")
    void correctHandRolledValidatorPassesOnEs256(TestTokens tokens) {
        assertThatValidator(Validators.handRolled(tokens)).rejectsKnownAttacks(tokens);
    }

    @Test
    @JwtIssuer(algorithm = "PS256", tenantClaim = "org")
    void correctHandRolledValidatorPassesOnPs256WithOwnTenantClaim(TestTokens tokens) {
        assertThatValidator(Validators.handRolled(tokens)).rejectsKnownAttacks(tokens);
    }

    @ParameterizedTest
    @EnumSource(value = Hole.class, mode = EnumSource.Mode.EXCLUDE, names = "NO_ECDSA_RANGE_CHECK")
    void everyVulnerableValidatorIsCaughtForExactlyItsHole(Hole hole, TestTokens tokens) {
        assertCaughtExactly(hole, tokens);
    }

    @Test
    @JwtIssuer(algorithm = "ES256")
    void psychicSignatureIsCaughtOnEs256(TestTokens tokens) {
        assertCaughtExactly(Hole.NO_ECDSA_RANGE_CHECK, tokens);
    }

    private static void assertCaughtExactly(Hole hole, TestTokens tokens) {
        TokenValidator validator = Validators.vulnerable(tokens, hole);
        AssertionError error = catchThrowableOfType(
                AssertionError.class, () -> assertThatValidator(validator).rejectsKnownAttacks(tokens));

        assertThat(error)
                .as("the validator with hole %s must fail the suite", hole)
                .isNotNull();
        assertThat(error.getMessage()).contains("but it accepted " + hole.caughtBy.size() + " of ");
        for (Attack attack : hole.caughtBy) {
            assertThat(error.getMessage())
                    .contains(") " + attack.name() + ": " + attack.token(), "why it is dangerous: " + attack.danger());
        }
        // relaxing exactly the named attacks makes it pass, so nothing else was accepted
        assertThatCode(() -> assertThatValidator(validator)
                        .allowing(hole.caughtBy.toArray(new Attack[0]))
                        .rejectsKnownAttacks(tokens))
                .doesNotThrowAnyException();
    }

    /** Each look-alike hole and exactly the variants of its attack that get through it. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> lookAlikeHoles() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.ISSUER_TRAILING_SLASH_IGNORED, List.of(LookAlike.ISSUER_TRAILING_SLASH)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.ISSUER_SCHEME_IGNORED, List.of(LookAlike.ISSUER_OTHER_SCHEME)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.ISSUER_CASE_INSENSITIVE, List.of(LookAlike.ISSUER_OTHER_CASE)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.ISSUER_PREFIX_CHECK,
                        List.of("issuer with a suffix (passes a prefix check)", LookAlike.ISSUER_TRAILING_SLASH)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.AUDIENCE_STARTS_WITH, List.of(LookAlike.AUDIENCE_PREFIX)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.AUDIENCE_ENDS_WITH, List.of(LookAlike.AUDIENCE_SUFFIX)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.AUDIENCE_CONTAINED,
                        List.of(LookAlike.AUDIENCE_PREFIX, LookAlike.AUDIENCE_SUFFIX, LookAlike.AUDIENCE_SUBSTRING)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.AUDIENCE_CASE_INSENSITIVE, List.of(LookAlike.AUDIENCE_OTHER_CASE)),
                org.junit.jupiter.params.provider.Arguments.of(
                        Hole.AUDIENCE_TEXT_SEARCH, List.of(LookAlike.AUDIENCE_IN_ARRAY)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("lookAlikeHoles")
    void eachLookAlikeIsCaughtByTheValidatorWithExactlyThatHole(Hole hole, List<String> variants, TestTokens tokens) {
        String message = failure(Validators.vulnerable(tokens, hole), tokens);

        for (String variant : variants) {
            assertThat(message).contains("   accepted " + variant + ":\n");
        }
        assertThat(message.split("\n   accepted ", -1))
                .as("accepted variants in:%s", message)
                .hasSize(variants.size() + 1);
    }

    @Test
    void theLookAlikesAreTheIssuersAndAudiencesNeighbours() {
        assertThat(LookAlike.ofIssuer("https://auth.example.test"))
                .extracting(LookAlike::value)
                .containsExactly("https://auth.example.test/", "http://auth.example.test", "HTTPS://AUTH.EXAMPLE.TEST");
        assertThat(LookAlike.ofIssuer("http://IDP/"))
                .extracting(LookAlike::value)
                .containsExactly("http://IDP", "https://IDP/", "HTTP://IDP/");
        assertThat(LookAlike.ofAudience("orders-api"))
                .extracting(LookAlike::value)
                .containsExactly("order", "s-api", "rders-ap", "ORDERS-API", List.of("not-orders-api"));
        assertThat(LookAlike.ofAudience("1")).extracting(LookAlike::value).containsExactly(List.of("not-1"));
    }

    @Test
    void eachKidInjectionVariantIsNamed(TestTokens tokens) {
        assertThat(failure(Validators.vulnerable(tokens, Hole.KID_IS_A_FILE_PATH), tokens))
                .contains(
                        "accepted kid path traversal to /dev/null, empty HMAC key:",
                        "\"kid\":\"../../../../../../../../dev/null\"")
                .doesNotContain("accepted kid SQL injection");
        assertThat(failure(Validators.vulnerable(tokens, Hole.KID_IN_SQL), tokens))
                .contains("accepted kid SQL injection selecting a known secret:")
                .doesNotContain("accepted kid path traversal");
    }

    @Test
    void reportsThatTheValidatorFetchedTheAttackerJwks(TestTokens tokens) {
        assertThat(failure(Validators.vulnerable(tokens, Hole.FOLLOWS_JKU), tokens))
                .containsPattern("accepted jku to attacker JWKS:\n     header:    \\{\"alg\":\"RS256\",\"typ\":\"JWT\","
                        + "\"kid\":\"attacker-[^\"]+\",\"jku\":\"http://127.0.0.1:[0-9]+/jku/jwks.json\"}")
                .containsPattern("fetched the attacker's URL http://127.0.0.1:[0-9]+/jku/jwks.json 1 time\n");
        assertThat(failure(Validators.vulnerable(tokens, Hole.NEVER_VERIFIES_SIGNATURE), tokens))
                .containsPattern("did not fetch the attacker's URL http://127.0.0.1:[0-9]+/jku/jwks.json");
    }

    @Test
    void fetchingTheAttackerUrlFailsEvenWhenTheTokenIsThenRejected(TestTokens tokens) {
        AtomicInteger calls = new AtomicInteger();
        TokenValidator fetchesThenRejects = token -> {
            String jku = (String) dev.prodlike.jwt.internal.DecodedToken.decode(token)
                    .header()
                    .get("jku");
            if (jku != null) {
                calls.incrementAndGet();
                Validators.get(URI.create(jku));
                throw new SecurityException("key not trusted");
            }
            Validators.handRolled(tokens).validate(token);
        };
        String message = failure(fetchesThenRejects, tokens);
        assertThat(calls).hasValue(1);
        assertThat(message)
                .contains("but it accepted 1 of 18 attacks:", ") JKU_ATTACKER_JWKS: ")
                .containsPattern("fetched the attacker's URL http://127.0.0.1:[0-9]+/jku/jwks.json 1 time \\(then "
                        + "rejected the token, but a validator that fetches URLs named by a token is open to "
                        + "server-side request forgery\\)");
    }

    @Test
    @JwtIssuer(algorithm = "ES256")
    void everyAttackRunsAgainstAnEs256Issuer(TestTokens tokens) {
        String message = failure(token -> {}, tokens);
        assertThat(message).contains("but it accepted 19 of 19 attacks:");
        Arrays.stream(Attack.values()).forEach(a -> assertThat(message).contains(") " + a.name() + ": "));
        assertThat(message).contains("Rejected as expected: none").doesNotContain("Not applicable");
    }

    @Test
    void psychicSignatureIsNotApplicableToRs256(TestTokens tokens) {
        String message = failure(token -> {}, tokens);
        assertThat(message)
                .contains(
                        "but it accepted 18 of 18 attacks:", "Not applicable: PSYCHIC_SIGNATURE (ES256 issuers only)");
    }

    @Test
    void allowedAttacksAreListedAndNotRun(TestTokens tokens) {
        String message = failure(
                Validators.vulnerable(tokens, Hole.NO_AUDIENCE_CHECK)
                /* the other hole is relaxed */ ,
                tokens,
                Attack.MISSING_EXP,
                Attack.DISALLOWED_ALGORITHM);
        assertThat(message)
                .contains(
                        "but it accepted 1 of 16 attacks:",
                        ") WRONG_AUDIENCE: ",
                        "\nAllowed explicitly: DISALLOWED_ALGORITHM, MISSING_EXP");
    }

    @Test
    void aValidatorThatRejectsEverythingFailsBeforeAnyAttack(TestTokens tokens) {
        String message = failure(
                token -> {
                    throw new IllegalStateException("no keys configured");
                },
                tokens);
        assertThat(message)
                .startsWith("\nExpecting validator to accept a genuine token of issuer https://auth.example.test "
                        + "before attacking it:\n  header:    {")
                .contains(
                        "\"tenant_id\":\"acme\"",
                        "but it rejected it with:\n  java.lang.IllegalStateException: no keys configured\n"
                                + "A validator that rejects everything would pass every attack, so the attacks did not "
                                + "run.");
    }

    @Test
    void policyAttacksSayHowToRelaxThem(TestTokens tokens) {
        assertThat(failure(Validators.vulnerable(tokens, Hole.EXP_OPTIONAL), tokens))
                .contains("if accepting it is deliberate policy, relax it explicitly: .allowing(Attack.MISSING_EXP)");
        assertThat(failure(Validators.vulnerable(tokens, Hole.NO_ISSUER_CHECK), tokens))
                .doesNotContain("deliberate policy");
    }

    @Test
    void pinsTheFailureMessage() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(PinnedMessageTestCase.class))
                .execute()
                .testEvents();

        events.assertStatistics(stats -> stats.started(1).failed(1).succeeded(0));
        Throwable thrown = events.failed().stream()
                .findFirst()
                .orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
        assertThat(thrown).isInstanceOf(AssertionError.class);
        assertThat(thrown.getMessage().replace(PinnedMessageTestCase.kid, "<kid>"))
                .isEqualTo(String.join(
                        "\n",
                        "",
                        "Expecting validator to reject every known JWT attack on issuer https://auth.example.test (RS256, "
                                + "audience orders-api, tenant claim tenant_id)",
                        "but it accepted 1 of 18 attacks:",
                        "",
                        "1) MISSING_EXP: validly signed, without an exp claim",
                        "   accepted no exp claim:",
                        "     header:    {\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"<kid>\"}",
                        "     claims:    {\"iss\":\"https://auth.example.test\",\"sub\":\"attacker\",\"aud\":\"orders-api\","
                                + "\"tenant_id\":\"victim-tenant\",\"iat\":1893456000}",
                        "     times:     iat 2030-01-01T00:00:00Z",
                        "     signature: 256 bytes",
                        "   why it is dangerous: a token without exp never expires: once leaked, it works forever",
                        "   if accepting it is deliberate policy, relax it explicitly: .allowing(Attack.MISSING_EXP)",
                        "",
                        "Rejected as expected: ALG_NONE, ALG_NONE_CASE_VARIANTS, SIGNATURE_STRIPPED, FOREIGN_KEY_SIGNATURE, "
                                + "HS256_WITH_PUBLIC_KEY, EMBEDDED_JWK, JKU_ATTACKER_JWKS, X5U_ATTACKER_URL, KID_INJECTION, "
                                + "UNKNOWN_CRIT_HEADER, DISALLOWED_ALGORITHM, EXPIRED, NOT_YET_VALID, WRONG_ISSUER, "
                                + "WRONG_AUDIENCE, TAMPERED_TENANT_CLAIM, MISSING_TENANT_CLAIM",
                        "Not applicable: PSYCHIC_SIGNATURE (ES256 issuers only)"));
    }

    private static String failure(TokenValidator validator, TestTokens tokens, Attack... allowed) {
        AssertionError error = catchThrowableOfType(
                AssertionError.class,
                () -> assertThatValidator(validator).allowing(allowed).rejectsKnownAttacks(tokens));
        assertThat(error).as("the attack suite must fail").isNotNull();
        return error.getMessage();
    }

    @JwtIssuer
    static class PinnedMessageTestCase {
        static volatile String kid;

        @Test
        void validatorWithoutExpRequirement(TestTokens tokens) {
            kid = tokens.currentKeyId();
            tokens.clock().freezeAt(Instant.parse("2030-01-01T00:00:00Z"));
            assertThatValidator(Validators.vulnerable(tokens, Hole.EXP_OPTIONAL))
                    .rejectsKnownAttacks(tokens);
        }
    }
}
