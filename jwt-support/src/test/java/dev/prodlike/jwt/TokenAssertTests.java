package dev.prodlike.jwt;

import static dev.prodlike.jwt.JwtAssertions.assertThatToken;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@JwtIssuer
class TokenAssertTests {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void passesForAGenuineToken(TestTokens tokens) {
        String t = tokens.forTenant("acme")
                .subject("u-1")
                .claim("roles", List.of("admin"))
                .claim("level", 5)
                .sign();

        assertThatToken(t)
                .isValidFor(tokens)
                .hasTenant("acme")
                .hasSubject("u-1")
                .hasClaim("roles", List.of("admin"))
                .hasClaim("level", 5L)
                .expiresWithin(Duration.ofMinutes(16));
    }

    @Test
    void wrongTenantShowsHeaderAndClaims(TestTokens tokens) {
        tokens.clock().freezeAt(T0);
        String t = tokens.forTenant("globex").subject("u-1").sign();

        assertThatThrownBy(() -> assertThatToken(t).isValidFor(tokens).hasTenant("acme"))
                .isInstanceOf(AssertionError.class)
                .hasMessage(String.join(
                        "\n",
                        "",
                        "Expecting token",
                        "  header:    {\"kid\":\"" + tokens.currentKeyId() + "\",\"typ\":\"JWT\",\"alg\":\"RS256\"}",
                        "  claims:    {\"iss\":\"https://auth.example.test\",\"aud\":\"orders-api\","
                                + "\"tenant_id\":\"globex\",\"iat\":1893456000,\"sub\":\"u-1\",\"exp\":1893456900}",
                        "  times:     iat 2030-01-01T00:00:00Z, exp 2030-01-01T00:15:00Z",
                        "  signature: 256 bytes",
                        "to carry tenant \"acme\" in claim tenant_id",
                        "but it carries \"globex\""));
    }

    @Test
    void expiredTokenIsNotValid(TestTokens tokens) {
        String t = tokens.forTenant("acme").expiresIn(Duration.ofMinutes(-10)).sign();

        assertThatThrownBy(() -> assertThatToken(t).isValidFor(tokens))
                .hasMessageContaining(
                        "to be valid for issuer https://auth.example.test (RS256, audience orders-api, keys [")
                .hasMessageContaining("\nbut jjwt rejected it: JWT expired");
    }

    @Test
    void wrongIssuerIsNotValid(TestTokens tokens) {
        String t = tokens.forTenant("acme")
                .claim("iss", "https://other.example.test")
                .sign();

        assertThatThrownBy(() -> assertThatToken(t).isValidFor(tokens))
                .hasMessageContaining("\"iss\":\"https://other.example.test\"")
                .hasMessageContaining("but jjwt rejected it: Expected iss claim to be: https://auth.example.test");
    }

    @Test
    void tokenSignedWithARetiredKeyIsNotValid(TestTokens tokens) {
        String t = tokens.forTenant("acme").sign();
        String oldKid = tokens.currentKeyId();
        tokens.rotateKeys();
        tokens.retireOldKeys();

        assertThatThrownBy(() -> assertThatToken(t).isValidFor(tokens))
                .hasMessageEndingWith("but its kid \"" + oldKid + "\" is not in the issuer's key set ["
                        + tokens.currentKeyId() + "] (retired by retireOldKeys()?)");
    }

    @Test
    void tokenFromAnotherIssuersKeysIsNotValid(TestTokens tokens) {
        String other = JwtAssertionsFixtures.foreignToken();

        assertThatThrownBy(() -> assertThatToken(other).isValidFor(tokens))
                .hasMessageContaining("but its kid \"foreign\" is not in the issuer's key set");
    }

    @Test
    void tokenWithoutExpIsNotValidAndNeverExpires(TestTokens tokens) {
        String t = tokens.forTenant("acme").withoutExpiration().sign();

        assertThatThrownBy(() -> assertThatToken(t).isValidFor(tokens))
                .hasMessageEndingWith("but it has no exp claim, so it never expires");
        assertThatThrownBy(() -> assertThatToken(t).expiresWithin(Duration.ofHours(1)))
                .hasMessageContaining("to expire within PT1H of ")
                .hasMessageEndingWith("but it has no exp claim, so it never expires");
    }

    @Test
    void expiresWithinUsesTheIssuersClock(TestTokens tokens) {
        tokens.clock().freezeAt(T0);
        String t = tokens.forTenant("acme").sign();

        assertThatThrownBy(() -> assertThatToken(t).isValidFor(tokens).expiresWithin(Duration.ofMinutes(5)))
                .hasMessageContaining("to expire within PT5M of 2030-01-01T00:00:00Z")
                .hasMessageEndingWith("but it expires at 2030-01-01T00:15:00Z, in PT15M");
    }

    @Test
    void claimMismatchAndAbsenceAreNamed(TestTokens tokens) {
        String t = tokens.forTenant("acme").claim("roles", List.of("viewer")).sign();

        assertThatThrownBy(() -> assertThatToken(t).hasClaim("roles", List.of("admin")))
                .hasMessageContaining("\"roles\":[\"viewer\"]")
                .hasMessageEndingWith("to have claim roles = [\"admin\"]\nbut it is [\"viewer\"]");
        assertThatThrownBy(() -> assertThatToken(t).hasSubject("u-1"))
                .hasMessageEndingWith("to have subject \"u-1\"\nbut it has no sub claim");
    }

    @Test
    void malformedTokenIsReportedAsSuch() {
        assertThatThrownBy(() -> assertThatToken("not-a-token").hasTenant("acme"))
                .hasMessage("\nExpecting a compact JWS (base64url header.payload.signature) but a compact JWS has 3 "
                        + "dot-separated parts (header.payload.signature) but this has 1:\n  not-a-token");
    }
}
