package dev.prodlike.samples;

import static dev.prodlike.jwt.JwtAssertions.assertThatToken;
import static dev.prodlike.jwt.JwtAssertions.assertThatValidator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.jwt.JwtIssuer;
import dev.prodlike.jwt.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The service's own token verifier against a real issuer: {@code @JwtIssuer} makes fresh keys, signs tenant tokens
 * with the production issuer, audience and algorithm from {@code prodlike.properties}, and serves its JWKS over HTTP on
 * 127.0.0.1 — the verifier fetches it by URL, exactly as it fetches the identity provider's in production.
 */
@JwtIssuer
class TokenVerifierTests {

    @Test
    void acceptsTheIssuersTokenAndTakesTheTenantFromIt(TestTokens tokens) throws Exception {
        String token = tokens.forTenant("acme").subject("user-1").sign();

        // First, what the issuer hands out: the assertions decode and verify the token against the issuer's keys.
        assertThatToken(token).isValidFor(tokens).hasTenant("acme").expiresWithin(Duration.ofMinutes(16));

        assertThat(verifierFor(tokens).verify(token)).isEqualTo(new Caller("acme", "user-1"));
    }

    // The attack suite sends a real, crafted token for every known JWT attack (alg none, HS256 signed with the public
    // key, embedded jwk, jku/x5u, kid injection, expired, wrong audience, tampered tenant, ...) and fails listing each
    // one the verifier accepted, with the decoded token and why it is dangerous.
    @Test
    void rejectsEveryKnownAttack(TestTokens tokens) {
        TokenVerifier verifier = verifierFor(tokens);

        assertThatValidator(verifier::verify).rejectsKnownAttacks(tokens);
    }

    // A method-level @JwtIssuer gives this test its own issuer, here signing with ES256, which adds the ECDSA
    // "psychic signature" (r = s = 0) to the suite.
    @Test
    @JwtIssuer(algorithm = "ES256")
    void rejectsEveryKnownAttackOnAnEcdsaIssuer(TestTokens tokens) {
        TokenVerifier verifier = new TokenVerifier(
                tokens.jwksUri(),
                tokens.issuer(),
                tokens.audience(),
                Set.of("ES256"),
                tokens.tenantClaim(),
                Duration.ZERO,
                tokens.clock());

        assertThatValidator(verifier::verify).rejectsKnownAttacks(tokens);
    }

    @Test
    void fetchesTheKeySetAgainWhenTheIssuerRotatesItsKeys(TestTokens tokens) throws Exception {
        TokenVerifier verifier = verifierFor(tokens);
        String beforeRotation = tokens.forTenant("acme").sign();
        verifier.verify(beforeRotation); // the key set is fetched and cached

        // A new signing key: its kid is unknown to the cached key set, so the verifier fetches it again.
        tokens.rotateKeys();
        String afterRotation = tokens.forTenant("acme").sign();

        assertThat(verifier.verify(afterRotation).tenant()).isEqualTo("acme");
        assertThat(verifier.verify(beforeRotation).tenant()).isEqualTo("acme"); // old key still published
    }

    // The drills: the identity provider rotates its keys, then its JWKS endpoint goes down, fails with HTTP 500 and
    // hangs. A token under a key the verifier knows must keep working throughout, an unknown kid must be refused
    // without waiting for the provider, and a key rotated after the outage must be picked up.
    @Test
    @JwtIssuer // an issuer of its own: the drills rotate its keys and take it down
    void followsAKeyRotationAndSurvivesAnOutageOfTheProvider(TestTokens tokens) {
        // 10 s per token: above the verifier's 2 s fetch timeouts, with room for a busy CI machine
        assertThatValidator(verifierFor(tokens)::verify)
                .answeringWithin(Duration.ofSeconds(10))
                .followsKeyRotation(tokens)
                .survivesIssuerOutage(tokens);
    }

    // The verifier as it was (one lock, a cooldown that a failed fetch during the outage also starts) rejects the key
    // the provider rotates right after the outage: every user signed in after the rotation is refused for the whole
    // cooldown. Five minutes here: with 10 s, a busy CI machine took longer than that from the failed fetch to the
    // rotation, so the cooldown had ended and the old verifier fetched (and timed out) instead of rejecting.
    @Test
    @JwtIssuer
    void theVerifierAsItWasRejectsAKeyRotatedRightAfterAnOutage(TestTokens tokens) {
        TokenVerifier asItWas = new TokenVerifier(
                new KeySetAsItWas(tokens.jwksUri(), Duration.ofMinutes(5)),
                tokens.issuer(),
                tokens.audience(),
                Set.of(tokens.algorithm()),
                tokens.tenantClaim(),
                tokens.clock());

        assertThatThrownBy(() -> assertThatValidator(asItWas::verify).survivesIssuerOutage(tokens))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(", rotated after the outage ended\nbut it rejected it ")
                .hasMessageContaining("it did not fetch the key set once during the attempts, so it does not refetch "
                        + "on an unknown kid, or a refetch rate limit stamped by a failed fetch during the outage "
                        + "still blocks it");
    }

    // tokens.clock() is a clock the test controls; the verifier is given the same clock, so expiry is tested
    // without waiting.
    @Test
    void acceptsATokenUntilItExpires(TestTokens tokens) throws Exception {
        TokenVerifier verifier = verifierFor(tokens);
        tokens.clock().freezeAt(Instant.parse("2030-01-01T12:00:00Z"));
        String token = tokens.forTenant("acme").expiresIn(Duration.ofMinutes(5)).sign();
        verifier.verify(token);

        tokens.clock().advance(Duration.ofMinutes(6)); // past exp plus the verifier's 30 s of leeway

        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(TokenVerifier.InvalidTokenException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void rejectsATenantClaimThatIsNoTenantId(TestTokens tokens) {
        String token = tokens.forTenant("acme' OR '1'='1").sign();

        assertThatThrownBy(() -> verifierFor(tokens).verify(token))
                .isInstanceOf(TokenVerifier.InvalidTokenException.class)
                .hasMessageContaining("tenant_id");
    }

    /** The verifier as the service configures it, pointed at the test issuer's JWKS URL. */
    static TokenVerifier verifierFor(TestTokens tokens) {
        return new TokenVerifier(
                tokens.jwksUri(),
                tokens.issuer(),
                tokens.audience(),
                Set.of(tokens.algorithm()),
                tokens.tenantClaim(),
                Duration.ofSeconds(10),
                tokens.clock());
    }
}
