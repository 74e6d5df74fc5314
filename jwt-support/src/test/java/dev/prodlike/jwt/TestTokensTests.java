package dev.prodlike.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.prodlike.jwt.internal.DecodedToken;
import dev.prodlike.jwt.internal.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import java.security.Key;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@JwtIssuer
class TestTokensTests {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void signsTenantTokensWithJjwt(TestTokens tokens) {
        tokens.clock().freezeAt(T0);
        String token = tokens.forTenant("acme")
                .subject("u-1")
                .claim("roles", List.of("admin"))
                .notBefore(T0.minusSeconds(5))
                .sign();

        DecodedToken decoded = DecodedToken.decode(token);
        assertThat(decoded.header())
                .containsEntry("alg", "RS256")
                .containsEntry("typ", "JWT")
                .containsEntry("kid", tokens.currentKeyId());
        assertThat(decoded.claims())
                .containsOnly(
                        entry("iss", "https://auth.example.test"),
                        entry("aud", "orders-api"),
                        entry("tenant_id", "acme"),
                        entry("sub", "u-1"),
                        entry("roles", List.of("admin")),
                        entry("iat", 1893456000),
                        entry("exp", 1893456900),
                        entry("nbf", 1893455995));
    }

    @Test
    void builderOptionsChangeTheClaims(TestTokens tokens) {
        tokens.clock().freezeAt(T0);
        DecodedToken noExp =
                DecodedToken.decode(tokens.forTenant("acme").withoutExpiration().sign());
        DecodedToken short_ = DecodedToken.decode(tokens.forTenant("acme")
                .issuedAt(T0.minusSeconds(60))
                .expiresIn(Duration.ofSeconds(30))
                .claim("aud", "other-api")
                .sign());

        assertThat(noExp.claims()).doesNotContainKey("exp").containsEntry("iat", 1893456000);
        assertThat(short_.time("iat")).isEqualTo(T0.minusSeconds(60));
        assertThat(short_.time("exp")).isEqualTo(T0.minusSeconds(30));
        assertThat(short_.claims()).containsEntry("aud", "other-api");
    }

    @Test
    void theClockIsUnderTheTestsControl(TestTokens tokens) {
        TokenClock clock = tokens.clock();
        assertThat(clock.isFrozen()).isFalse();
        clock.freezeAt(T0).advance(Duration.ofMinutes(16));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(16 * 60));

        String token = tokens.forTenant("acme").sign();
        assertThat(DecodedToken.decode(token).time("iat")).isEqualTo(T0.plusSeconds(16 * 60));

        clock.useSystemTime().advance(Duration.ofDays(-1));
        assertThat(clock.isFrozen()).isFalse();
        assertThat(clock.instant()).isBefore(Instant.now().minus(Duration.ofHours(23)));
    }

    @Test
    void aServiceCanFetchTheJwksOverHttpAndVerifyTokens(TestTokens tokens) throws Exception {
        String token = tokens.forTenant("acme").subject("u-1").sign();

        String jwks = Validators.get(tokens.jwksUri());
        Map<String, Key> keys = Validators.keysFrom(jwks);
        Claims claims = Jwts.parser()
                .keyLocator(h -> keys.get(((io.jsonwebtoken.ProtectedHeader) h).getKeyId()))
                .requireIssuer(tokens.issuer())
                .requireAudience(tokens.audience())
                .build()
                .parseSignedClaims(token)
                .getPayload();

        assertThat(tokens.jwksUri().toString()).matches("http://127\\.0\\.0\\.1:[0-9]+/\\.well-known/jwks\\.json");
        assertThat(jwks).isEqualTo(tokens.jwksJson());
        assertThat(claims.get("tenant_id", String.class)).isEqualTo("acme");
        assertThat(Json.readObject(jwks).get("keys"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .singleElement()
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("kid", tokens.currentKeyId())
                .containsEntry("use", "sig")
                .containsEntry("alg", "RS256")
                .containsEntry("kty", "RSA")
                .containsKeys("n", "e");
    }

    @Test
    void servesAnOpenIdDiscoveryDocument(TestTokens tokens) throws Exception {
        Map<String, Object> doc = Json.readObject(Validators.get(tokens.discoveryUri()));

        assertThat(doc)
                .containsEntry("issuer", "https://auth.example.test")
                .containsEntry("jwks_uri", tokens.jwksUri().toString())
                .containsEntry("id_token_signing_alg_values_supported", List.of("RS256"));
        assertThat(tokens.discoveryUri().getPath()).isEqualTo("/.well-known/openid-configuration");
    }

    @Test
    @JwtIssuer
    void rotationKeepsTheOldKeyUntilRetired(TestTokens tokens) throws Exception {
        String before = tokens.forTenant("acme").sign();
        String oldKid = tokens.currentKeyId();

        String newKid = tokens.rotateKeys();
        String after = tokens.forTenant("acme").sign();

        assertThat(newKid).isEqualTo(tokens.currentKeyId()).isNotEqualTo(oldKid);
        assertThat(DecodedToken.decode(after).header()).containsEntry("kid", newKid);
        assertThat(Validators.keysFrom(Validators.get(tokens.jwksUri()))).containsOnlyKeys(oldKid, newKid);
        assertThat(tokens.publicKeys().keySet()).containsExactly(newKid, oldKid);
        TokenValidator duringRotation = Validators.jjwt(tokens);
        assertThatCode(() -> duringRotation.validate(before)).doesNotThrowAnyException();
        assertThatCode(() -> duringRotation.validate(after)).doesNotThrowAnyException();

        tokens.retireOldKeys();

        assertThat(Validators.keysFrom(Validators.get(tokens.jwksUri()))).containsOnlyKeys(newKid);
        TokenValidator afterRotation = Validators.jjwt(tokens);
        assertThatThrownBy(() -> afterRotation.validate(before)).hasMessageContaining("unknown kid " + oldKid);
        assertThatCode(() -> afterRotation.validate(after)).doesNotThrowAnyException();
    }

    @Test
    @JwtIssuer(algorithm = "ES256")
    void worksWithoutHttpThroughPublicKeys(TestTokens tokens) {
        String token = tokens.forTenant("acme").sign();
        PublicKey key = tokens.publicKeys().get(tokens.currentKeyId());

        Claims claims =
                Jwts.parser().verifyWith(key).build().parseSignedClaims(token).getPayload();

        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(claims.getExpiration())
                .isEqualTo(Date.from(claims.getIssuedAt().toInstant().plus(Duration.ofMinutes(15))));
    }

    @Test
    @JwtIssuer(algorithm = "PS256", tokenLifetime = "5m", tenantClaim = "org")
    void annotationAttributesShapeTheTokens(TestTokens tokens) throws Exception {
        String token = tokens.forTenant("acme").sign();

        assertThat(DecodedToken.decode(token).header()).containsEntry("alg", "PS256");
        assertThat(DecodedToken.decode(token).claims())
                .containsEntry("org", "acme")
                .doesNotContainKey("tenant_id");
        assertThat(tokens.tokenLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThatCode(() -> Validators.jjwt(tokens).validate(token)).doesNotThrowAnyException();
    }

    @Test
    @JwtIssuer
    void everyIssuerHasFreshKeys(TestTokens methodTokens) {
        // the class-level issuer of this class is a different scope: compare with a second method-level key set
        String firstKid = methodTokens.currentKeyId();
        assertThat(methodTokens.rotateKeys()).isNotEqualTo(firstKid);
        assertThat(methodTokens.publicKeys().get(firstKid))
                .isNotEqualTo(methodTokens.publicKeys().get(methodTokens.currentKeyId()));
    }
}
