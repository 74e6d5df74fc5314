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
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The verifier's key lookup before it had a {@link JwksCache}, kept to show what the outage drill catches: every
 * lookup takes one lock and fetches under it, and a failed fetch for an unknown kid starts the cooldown, so a key
 * rotated just after an outage is rejected for the whole cooldown.
 */
final class KeySetAsItWas implements TokenVerifier.KeySource {

    private final URI jwksUri;
    private final Duration refreshCooldown;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Map<String, PublicKey> keys;
    private Instant lastUnknownKidRefresh = Instant.MIN;

    KeySetAsItWas(URI jwksUri, Duration refreshCooldown) {
        this.jwksUri = jwksUri;
        this.refreshCooldown = refreshCooldown;
    }

    @Override
    public synchronized PublicKey key(String kid) {
        if (keys == null) {
            keys = fetchKeys();
        }
        PublicKey key = keys.get(kid);
        Instant now = Instant.now();
        if (key == null && !now.isBefore(lastUnknownKidRefresh.plus(refreshCooldown))) {
            lastUnknownKidRefresh = now;
            keys = fetchKeys();
            key = keys.get(kid);
        }
        return key;
    }

    private Map<String, PublicKey> fetchKeys() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(jwksUri)
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the key set at " + jwksUri + " answered " + response.statusCode());
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
            throw new IllegalStateException("the key set at " + jwksUri + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the key set", e);
        }
    }
}
