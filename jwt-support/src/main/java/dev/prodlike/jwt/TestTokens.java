package dev.prodlike.jwt;

import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * A token issuer for one test class or method, injected by {@link JwtIssuer}: fresh keys, real tenant tokens and
 * a live JWKS endpoint on 127.0.0.1.
 *
 * <pre>{@code
 * @JwtIssuer
 * class AuthIT {
 *   @Test void accepts(TestTokens tokens) {
 *     String t = tokens.forTenant("acme").subject("u-1").sign();
 *     URI jwks = tokens.jwksUri();       // give this to the service under test
 *   }
 * }
 * }</pre>
 *
 * <p>Keys are generated per run (never fixed or published keys). {@link #rotateKeys()} adds a new signing key and
 * keeps the old ones in the key set until {@link #retireOldKeys()}. The HTTP server starts on the first call of
 * {@link #jwksUri()} or {@link #discoveryUri()}; without those, {@link #publicKeys()} works with no HTTP at all.
 * {@link #faults()} and {@link #outage()} make those endpoints down, hung, slow or failing, for drills such as
 * {@link AbstractTokenValidatorAssert#survivesIssuerOutage(TestTokens)}.
 * Everything is released when the test scope ends. Thread-safe.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface TestTokens {

    /** @return the {@code iss} tokens carry ({@code jwt.issuer}) */
    String issuer();

    /** @return the {@code aud} tokens carry ({@code jwt.audience}) */
    String audience();

    /** @return the signature algorithm, RS256, ES256 or PS256 ({@code jwt.algorithm}) */
    String algorithm();

    /** @return the name of the claim that carries the tenant ({@code jwt.tenant-claim}) */
    String tenantClaim();

    /** @return the lifetime of issued tokens ({@code jwt.token-lifetime}) */
    Duration tokenLifetime();

    /**
     * Starts a token for a tenant.
     *
     * @param tenant the value of the tenant claim
     * @return a builder; call {@link TokenBuilder#sign()} to get the token
     */
    TokenBuilder forTenant(String tenant);

    /**
     * @return the JWKS endpoint, {@code http://127.0.0.1:<port>/.well-known/jwks.json}; starts the server on first
     *         call
     */
    URI jwksUri();

    /**
     * @return the OpenID discovery document, {@code http://127.0.0.1:<port>/.well-known/openid-configuration},
     *         naming {@link #issuer()} and {@link #jwksUri()}; starts the server on first call
     */
    URI discoveryUri();

    /** @return the public keys in the key set by key id ({@code kid}), the current signing key first */
    Map<String, PublicKey> publicKeys();

    /** @return the key set as JWKS JSON, exactly what {@link #jwksUri()} serves */
    String jwksJson();

    /** @return the key id of the current signing key */
    String currentKeyId();

    /**
     * Generates a new signing key; tokens signed from now on use it, and older keys stay in the key set.
     *
     * @return the new key id
     */
    String rotateKeys();

    /** Removes every key but the current signing key from the key set, as the end of a rotation does. */
    void retireOldKeys();

    /**
     * @return the faults of the JWKS and discovery endpoints (down, hung, slow, HTTP errors), each ended at the
     *         latest with the test; starts the server on first call
     * @since 0.1.0
     */
    IssuerFaults faults();

    /**
     * Takes the issuer down: connections to the JWKS and discovery endpoints are refused until the returned fault is
     * closed (at the latest when the test ends). Same as {@code faults().refuse()}.
     *
     * <pre>{@code
     * try (var outage = tokens.outage()) {
     *   assertThat(service.call(tokenUnderAKnownKey)).isOk();
     * }
     * }</pre>
     *
     * @return the outage; close it to bring the endpoints back on the same port
     * @since 0.1.0
     */
    IssuerFault outage();

    /** @return the clock {@code iat}, {@code nbf} and {@code exp} are computed from */
    TokenClock clock();

    /**
     * @return the current signing key pair, generated for this issuer (never a production key): for crafting tokens
     *         that {@link #forTenant(String)} cannot make, such as other headers or another algorithm with the same
     *         key, as {@link TokenValidatorAssert#rejectsKnownAttacks(TestTokens)} does
     */
    KeyPair currentKeyPair();
}
