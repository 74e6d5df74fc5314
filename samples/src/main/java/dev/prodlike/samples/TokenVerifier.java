package dev.prodlike.samples;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.net.URI;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies the service's bearer tokens with jjwt, against the identity provider's key set fetched by URL.
 *
 * <p>What a token must satisfy: a {@code kid} naming a key of the issuer's JWKS (kept by a {@link JwksCache}: cached
 * by kid, fetched again when a token names an unknown {@code kid} — key rotation — and when older than 10 minutes,
 * with 2 s timeouts, serving known keys through an outage of the provider); an algorithm from the allow-list (never
 * the token's own choice); the configured {@code iss} and {@code aud}; an {@code exp}, not passed, and {@code nbf} if present, with 30 s of clock skew; a
 * tenant claim that is a well-formed tenant id. Key material in the token itself ({@code jwk}, {@code jku},
 * {@code x5u}) is never used or fetched, and unknown {@code crit} headers are rejected.
 *
 * @since 0.1.0
 */
public final class TokenVerifier {

    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** Connect and read timeout of a key set fetch. */
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);
    /** How long a fetched key set is trusted before it is fetched again on use. */
    static final Duration KEY_SET_MAX_AGE = Duration.ofMinutes(10);

    private final Set<String> algorithms;
    private final String tenantClaim;
    private final KeySource keys;
    private final JwtParser parser;

    /** Where the verifier looks a token's key up. */
    @FunctionalInterface
    public interface KeySource {
        /**
         * @param kid the token's key id
         * @return the issuer's key with that id, or null
         */
        PublicKey key(String kid);
    }

    /**
     * @param jwksUri         the issuer's JWKS endpoint
     * @param issuer          the required {@code iss}
     * @param audience        the required {@code aud} (this service)
     * @param algorithms      accepted algorithms, e.g. {@code RS256}
     * @param tenantClaim     the claim that carries the tenant
     * @param refreshCooldown after a burst of {@value JwksCache#BURST}, the least time between two key set fetches
     *                        caused by unknown key ids
     * @param clock           the time tokens are checked against
     */
    public TokenVerifier(
            URI jwksUri,
            String issuer,
            String audience,
            Set<String> algorithms,
            String tenantClaim,
            Duration refreshCooldown,
            Clock clock) {
        this(
                new JwksCache(jwksUri, FETCH_TIMEOUT, refreshCooldown, KEY_SET_MAX_AGE)::key,
                issuer,
                audience,
                algorithms,
                tenantClaim,
                clock);
    }

    /**
     * @param keys        where keys are looked up by kid
     * @param issuer      the required {@code iss}
     * @param audience    the required {@code aud} (this service)
     * @param algorithms  accepted algorithms, e.g. {@code RS256}
     * @param tenantClaim the claim that carries the tenant
     * @param clock       the time tokens are checked against
     */
    public TokenVerifier(
            KeySource keys, String issuer, String audience, Set<String> algorithms, String tenantClaim, Clock clock) {
        this.keys = keys;
        this.algorithms = Set.copyOf(algorithms);
        this.tenantClaim = tenantClaim;
        var builder = Jwts.parser()
                .keyLocator(new KeyLocator())
                .requireIssuer(issuer)
                .requireAudience(audience)
                .clock(() -> Date.from(clock.instant()))
                .clockSkewSeconds(30);
        var sig = builder.sig().clear();
        for (String alg : this.algorithms) {
            SecureDigestAlgorithm<?, ?> a = Jwts.SIG.get().forKey(alg);
            sig.add(a);
        }
        this.parser = sig.and().build();
    }

    /**
     * @param token a compact JWS
     * @return the caller it authenticates
     * @throws InvalidTokenException when it must not be accepted, with the reason
     */
    public Caller verify(String token) throws InvalidTokenException {
        Claims claims;
        try {
            claims = parser.parseSignedClaims(token).getPayload();
        } catch (JwtException | IllegalArgumentException e) {
            throw new InvalidTokenException(e.getMessage(), e);
        }
        if (claims.getExpiration() == null) {
            throw new InvalidTokenException("the token has no exp claim");
        }
        Object tenant = claims.get(tenantClaim);
        if (!(tenant instanceof String t) || !TENANT.matcher(t).matches()) {
            throw new InvalidTokenException("the token has no valid " + tenantClaim + " claim");
        }
        return new Caller(t, claims.getSubject());
    }

    /** A token the service must not accept. */
    public static final class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String message) {
            super(message);
        }

        InvalidTokenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final class KeyLocator extends LocatorAdapter<Key> {
        @Override
        protected Key locate(JwsHeader header) {
            if (!algorithms.contains(header.getAlgorithm())) {
                throw new UnacceptableTokenException("algorithm " + header.getAlgorithm() + " is not accepted");
            }
            String kid = header.getKeyId();
            if (kid == null) {
                throw new UnacceptableTokenException("the token names no key (kid)");
            }
            PublicKey key = keys.key(kid);
            if (key == null) {
                throw new UnacceptableTokenException("no key " + kid + " in the issuer's key set");
            }
            return key;
        }
    }

    private static final class UnacceptableTokenException extends JwtException {
        private static final long serialVersionUID = 1L;

        UnacceptableTokenException(String message) {
            super(message);
        }
    }
}
