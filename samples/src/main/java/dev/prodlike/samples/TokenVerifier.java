package dev.prodlike.samples;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies the service's bearer tokens with jjwt, against the identity provider's key set fetched by URL.
 *
 * <p>What a token must satisfy: a {@code kid} naming a key of the issuer's JWKS (fetched on first use, cached, and
 * fetched again when a token names an unknown {@code kid} — key rotation — at most once per
 * {@code refreshCooldown}); an algorithm from the allow-list (never the token's own choice); the configured
 * {@code iss} and {@code aud}; an {@code exp}, not passed, and {@code nbf} if present, with 30 s of clock skew; a
 * tenant claim that is a well-formed tenant id. Key material in the token itself ({@code jwk}, {@code jku},
 * {@code x5u}) is never used or fetched, and unknown {@code crit} headers are rejected.
 *
 * @since 0.1.0
 */
public final class TokenVerifier {

    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final URI jwksUri;
    private final Set<String> algorithms;
    private final String tenantClaim;
    private final Duration refreshCooldown;
    private final Clock clock;
    private final HttpClient http;
    private final JwtParser parser;

    private Map<String, PublicKey> keys;
    private Instant lastUnknownKidRefresh = Instant.MIN;

    /**
     * @param jwksUri         the issuer's JWKS endpoint
     * @param issuer          the required {@code iss}
     * @param audience        the required {@code aud} (this service)
     * @param algorithms      accepted algorithms, e.g. {@code RS256}
     * @param tenantClaim     the claim that carries the tenant
     * @param refreshCooldown least time between two key set fetches caused by unknown key ids
     * @param clock           the time tokens are checked against
     */
    public TokenVerifier(URI jwksUri, String issuer, String audience, Set<String> algorithms, String tenantClaim,
                         Duration refreshCooldown, Clock clock) {
        this.jwksUri = jwksUri;
        this.algorithms = Set.copyOf(algorithms);
        this.tenantClaim = tenantClaim;
        this.refreshCooldown = refreshCooldown;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
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
            PublicKey key = keyFor(kid);
            if (key == null) {
                throw new UnacceptableTokenException("no key " + kid + " in the issuer's key set");
            }
            return key;
        }
    }

    private synchronized PublicKey keyFor(String kid) {
        if (keys == null) {
            keys = fetchKeys();
        }
        PublicKey key = keys.get(kid);
        Instant now = clock.instant();
        if (key == null && !now.isBefore(lastUnknownKidRefresh.plus(refreshCooldown))) {
            lastUnknownKidRefresh = now;
            keys = fetchKeys(); // the issuer may have rotated its keys
            key = keys.get(kid);
        }
        return key;
    }

    private Map<String, PublicKey> fetchKeys() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(jwksUri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new UnacceptableTokenException("the key set at " + jwksUri + " answered " + response.statusCode());
            }
            JwkSet set = Jwks.setParser().build().parse(response.body());
            Map<String, PublicKey> found = new HashMap<>();
            for (Jwk<?> jwk : set.getKeys()) {
                if (jwk.getId() != null && jwk.toKey() instanceof PublicKey publicKey) {
                    found.put(jwk.getId(), publicKey);
                }
            }
            return Map.copyOf(found);
        } catch (IOException e) {
            throw new UnacceptableTokenException("the key set at " + jwksUri + " is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnacceptableTokenException("interrupted while fetching the key set");
        }
    }

    private static final class UnacceptableTokenException extends JwtException {
        private static final long serialVersionUID = 1L;

        UnacceptableTokenException(String message) {
            super(message);
        }
    }
}
