package dev.prodlike.samples;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The identity provider's public keys by key id, fetched from its JWKS endpoint and kept through its rotations and
 * outages, the way a correct resource server keeps them.
 *
 * <ul>
 * <li>A known kid is answered from memory, without a lock: nothing waits for the provider.</li>
 * <li>An unknown kid fetches the key set again (the provider rotated), one fetch at a time; a caller that would wait
 * for another's fetch longer than the fetch timeout answers from what is cached.</li>
 * <li>Fetches caused by unknown kids are rate limited by a bucket: a burst of {@value #BURST}, then one per
 * {@code refetchInterval}, so random kids cannot make the service hammer its provider, and a rotation shortly after
 * an outage is still picked up.</li>
 * <li>A key set older than {@code maxAge} is fetched again on use, so a retired key stops being trusted; if that fetch
 * fails, the cached keys keep serving (the provider's outage is not the service's).</li>
 * <li>Every fetch has a connect and read timeout.</li>
 * </ul>
 *
 * @since 0.1.0
 */
public final class JwksCache {

    /** Unknown-kid fetches allowed at once before the rate limit applies: {@value}. */
    public static final int BURST = 10;

    private final URI jwksUri;
    private final Duration fetchTimeout;
    private final long refetchIntervalNanos;
    private final long maxAgeNanos;
    private final HttpClient http;
    private final ReentrantLock fetching = new ReentrantLock();

    private volatile Map<String, PublicKey> keys = Map.of();
    private volatile long fetchedAt;
    private volatile boolean fetched;
    /** Bucket state, guarded by {@link #fetching}. */
    private double allowance = BURST;

    private long allowanceAt = System.nanoTime();

    /**
     * @param jwksUri         the provider's JWKS endpoint
     * @param fetchTimeout    connect and read timeout of one fetch
     * @param refetchInterval after the burst, the least time between two fetches caused by unknown kids
     * @param maxAge          the longest time a fetched key set is trusted without fetching it again
     */
    public JwksCache(URI jwksUri, Duration fetchTimeout, Duration refetchInterval, Duration maxAge) {
        this.jwksUri = jwksUri;
        this.fetchTimeout = fetchTimeout;
        this.refetchIntervalNanos = refetchInterval.toNanos();
        this.maxAgeNanos = maxAge.toNanos();
        this.http = HttpClient.newBuilder().connectTimeout(fetchTimeout).build();
    }

    /**
     * @param kid the token's key id
     * @return the provider's key, or null when the provider does not publish it (or cannot be asked and it is not
     *         cached)
     */
    public PublicKey key(String kid) {
        PublicKey key = keys.get(kid);
        if (key != null) {
            if (System.nanoTime() - fetchedAt <= maxAgeNanos || !fetching.tryLock()) {
                return key; // fresh, or another caller is refreshing: nobody waits for the provider for a known key
            }
            try {
                if (System.nanoTime() - fetchedAt > maxAgeNanos && !fetch()) {
                    fetchedAt = System.nanoTime() - maxAgeNanos + refetchIntervalNanos; // retry after the interval
                }
                return keys.get(kid); // null if the provider retired it
            } finally {
                fetching.unlock();
            }
        }
        try {
            if (!fetching.tryLock(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return keys.get(kid); // another caller's fetch is hung: answer from memory
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            if (keys.get(kid) == null && (!fetched || takeAllowance())) {
                fetch(); // the provider may have rotated its keys
            }
            return keys.get(kid);
        } finally {
            fetching.unlock();
        }
    }

    private boolean takeAllowance() {
        long now = System.nanoTime();
        allowance = Math.min(BURST, allowance + (double) (now - allowanceAt) / Math.max(1, refetchIntervalNanos));
        allowanceAt = now;
        if (allowance < 1) {
            return false;
        }
        allowance -= 1;
        return true;
    }

    /**
     * Replaces the cached keys by the provider's; on failure keeps them.
     *
     * @return whether the fetch succeeded
     */
    private boolean fetch() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(jwksUri).timeout(fetchTimeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return false;
            }
            JwkSet set = Jwks.setParser().build().parse(response.body());
            Map<String, PublicKey> found = new HashMap<>();
            for (Jwk<?> jwk : set.getKeys()) {
                if (jwk.getId() != null && jwk.toKey() instanceof PublicKey publicKey) {
                    found.put(jwk.getId(), publicKey);
                }
            }
            keys = Map.copyOf(found);
            fetchedAt = System.nanoTime();
            fetched = true;
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // unreachable, hung or answering garbage: keep what is cached
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
