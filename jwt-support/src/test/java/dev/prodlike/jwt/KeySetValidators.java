package dev.prodlike.jwt;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.ProtectedHeader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.function.Function;

/**
 * Validators written the ways services fetch an issuer's key set, for the rotation and outage drills: once at start,
 * on every token, and cached by kid with a refetch on a miss. Each validates tokens fully with jjwt; they differ only
 * in where the keys come from.
 */
final class KeySetValidators {

    /** Key set fetch timeouts of these validators, well below the drills' default bound of 5 s. */
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(2);

    private KeySetValidators() {}

    /** Fetches the key set once, at construction, and never again: a rotation breaks it until a restart. */
    static TokenValidator fetchOnce(TestTokens tokens) throws Exception {
        Map<String, Key> keys = fetch(tokens, FETCH_TIMEOUT);
        return validator(tokens, kid -> keys.get(kid));
    }

    /** Fetches the key set for every token: always current, and unable to accept anything while the issuer is out. */
    static TokenValidator fetchEveryToken(TestTokens tokens) {
        return validator(tokens, kid -> {
            try {
                return fetch(tokens, FETCH_TIMEOUT).get(kid);
            } catch (Exception e) {
                throw new SecurityException("the key set could not be fetched: " + e, e);
            }
        });
    }

    /**
     * Caches keys by kid, refetches the whole key set on an unknown kid (one fetch at a time, outside the lookup),
     * keeps the cached keys when a fetch fails, and with a {@code maxAge} refetches a key set older than that.
     */
    static TokenValidator cacheByKid(TestTokens tokens, Duration maxAge) {
        return validator(tokens, new KidCache(tokens, maxAge, FETCH_TIMEOUT)::key);
    }

    /** Like {@link #cacheByKid}, but when the key set cannot be fetched it lets the token through: fails open. */
    static TokenValidator failsOpen(TestTokens tokens) {
        KidCache cache = new KidCache(tokens, null, FETCH_TIMEOUT);
        TokenValidator strict = validator(tokens, kid -> {
            try {
                return cache.keyOrFail(kid);
            } catch (Exception e) {
                throw new IssuerUnreachable(e);
            }
        });
        return token -> {
            try {
                strict.validate(token);
            } catch (Exception e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof IssuerUnreachable) {
                        return; // "the identity provider is down: let the request through"
                    }
                }
                throw e;
            }
        };
    }

    private static final class IssuerUnreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IssuerUnreachable(Throwable cause) {
            super(cause);
        }
    }

    /** Refetches on an unknown kid with no timeout at all, while holding the lock every key lookup takes. */
    static TokenValidator fetchUnderLockWithoutTimeout(TestTokens tokens) {
        KidCache cache = new KidCache(tokens, null, null);
        return validator(tokens, kid -> {
            synchronized (cache) {
                return cache.key(kid);
            }
        });
    }

    static Map<String, Key> fetch(TestTokens tokens, Duration timeout) throws Exception {
        HttpClient.Builder client = HttpClient.newBuilder();
        HttpRequest.Builder request = HttpRequest.newBuilder(tokens.jwksUri()).GET();
        if (timeout != null) {
            client.connectTimeout(timeout);
            request.timeout(timeout);
        }
        HttpResponse<String> response = client.build().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + tokens.jwksUri() + " answered " + response.statusCode());
        }
        return Map.copyOf(Validators.keysFrom(response.body()));
    }

    private static TokenValidator validator(TestTokens tokens, Function<String, Key> keys) {
        JwtParser parser = Jwts.parser()
                .keyLocator(header -> {
                    ProtectedHeader h = (ProtectedHeader) header;
                    if (!tokens.algorithm().equals(h.getAlgorithm())) {
                        throw new SecurityException("algorithm " + h.getAlgorithm() + " is not allowed");
                    }
                    Key key = keys.apply(h.getKeyId());
                    if (key == null) {
                        throw new SecurityException("no key " + h.getKeyId() + " in the issuer's key set");
                    }
                    return key;
                })
                .requireIssuer(tokens.issuer())
                .requireAudience(tokens.audience())
                .clock(() -> Date.from(tokens.clock().instant()))
                .clockSkewSeconds(60)
                .build();
        return token -> {
            Claims claims = parser.parseSignedClaims(token).getPayload();
            if (claims.getExpiration() == null || claims.get(tokens.tenantClaim(), String.class) == null) {
                throw new SecurityException("exp and " + tokens.tenantClaim() + " are required");
            }
        };
    }

    /** Keys by kid; lookups read a volatile map, fetches take their own lock so only one runs at a time. */
    private static final class KidCache {
        private final TestTokens tokens;
        private final Duration maxAge;
        private final Duration timeout;
        private final Object fetchLock = new Object();
        private volatile Map<String, Key> keys = Map.of();
        private volatile Instant fetchedAt = Instant.MIN;

        KidCache(TestTokens tokens, Duration maxAge, Duration timeout) {
            this.tokens = tokens;
            this.maxAge = maxAge;
            this.timeout = timeout;
        }

        Key key(String kid) {
            try {
                return keyOrFail(kid);
            } catch (Exception e) {
                return keys.get(kid); // the issuer is out: what is cached still counts, nothing else does
            }
        }

        Key keyOrFail(String kid) throws Exception {
            boolean stale = maxAge != null && Instant.now().isAfter(fetchedAt.plus(maxAge));
            Key key = keys.get(kid);
            if (key != null && !stale) {
                return key;
            }
            synchronized (fetchLock) {
                key = keys.get(kid);
                boolean stillStale = maxAge != null && Instant.now().isAfter(fetchedAt.plus(maxAge));
                if (key == null || stillStale) {
                    keys = fetch(tokens, timeout);
                    fetchedAt = Instant.now();
                    key = keys.get(kid);
                }
                return key;
            }
        }
    }
}
