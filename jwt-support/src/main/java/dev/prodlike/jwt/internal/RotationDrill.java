package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.TokenValidator;
import java.time.Duration;
import java.time.Instant;

/**
 * The key rotation drill, as identity providers rotate: publish a new key and sign with it, keep the old key
 * published until its tokens expire, then retire it. Internal API.
 *
 * @since 0.1.0
 */
public final class RotationDrill {

    static final String CORRECT = "a validator that caches keys by kid and refetches the key set on an unknown kid, "
            + "such as Spring Security's NimbusJwtDecoder, passes";

    private RotationDrill() {}

    /**
     * Runs the drill; rotates and retires the issuer's keys.
     *
     * @param validator the validator
     * @param tokens    the issuer
     * @param cacheTime the validator's cache time, or null when tokens under a retired key are not checked
     * @param bound     how long the validator may take for one token
     * @throws Drill.Failure at the first failed step
     */
    public static void run(TokenValidator validator, TestTokens tokens, Duration cacheTime, Duration bound) {
        Drill drill = new Drill("follow a key rotation", validator, tokens, bound);
        String k1 = tokens.currentKeyId();
        String underK1 = tokens.forTenant("acme").subject("drill").sign();
        // retried: the first fetch of a cold client may time out on a busy machine, which is not what is drilled
        drill.eventuallyAccepts(
                "accepts a token under the current key " + k1,
                underK1,
                (answer, requests) -> answer.answered()
                        ? "The validator does not trust the issuer's key set: make it fetch "
                                + tokens.jwksUri() + " (or the discovery document) and require issuer "
                                + tokens.issuer()
                                + " and audience " + tokens.audience() + "."
                        : "The first token makes a validator fetch the key set; " + Drill.jwks(requests) + " reached "
                                + "the issuer, and the validator did not answer in time.");

        String k2 = tokens.rotateKeys();
        Instant published = Instant.now();
        String underK2 = tokens.forTenant("acme").subject("drill").sign();
        int beforeRotation = drill.jwksRequests();
        drill.eventuallyAccepts(
                "accepts a token under the rotated key " + k2 + ", with no restart", underK2, (answer, requests) -> {
                    long ago = Duration.between(published, Instant.now()).toSeconds();
                    if (!answer.answered()) {
                        return "The validator hung on a token under the key k2 published " + ago + " s earlier ("
                                + Drill.jwks(requests) + " during the call): give its key set fetch a connect and "
                                + "read timeout well below " + Drill.seconds(bound) + ".";
                    }
                    int fetched = drill.jwksRequests() - beforeRotation;
                    return fetched == 0
                            ? "It rejected a token under the rotated key " + k2 + " published " + ago + " s earlier: "
                                    + "the validator does not refetch the key set on an unknown kid (no JWKS request "
                                    + "since the rotation) — " + CORRECT + "."
                            : "It fetched the key set " + fetched + (fetched == 1 ? " time" : " times") + " since the "
                                    + "rotation, which lists " + k2 + ", and still rejected a token under it: it keeps "
                                    + "the keys it had before, or does not look keys up by kid — " + CORRECT + ".";
                });

        drill.accepts(
                "still accepts a token under the previous key " + k1 + ", which the issuer still publishes",
                underK1,
                (answer, requests) -> answer.answered()
                        ? "Providers keep publishing the previous key until the tokens signed with it expire, "
                                + "so those tokens stay valid after a rotation: the validator keeps only the newest key "
                                + "(or the first of the key set) instead of every published key by kid."
                        : "The validator hung on a token under a key it knew (" + Drill.jwks(requests) + " "
                                + "during the call).");

        String foreign = Drill.underUnpublishedKey(tokens);
        drill.rejects(
                "rejects a token under the kid " + Drill.kid(foreign) + ", never published",
                foreign,
                (answer, requests) -> answer.answered()
                        ? "It accepted a token signed by a key the issuer never published: the signature is not "
                                + "checked against the issuer's keys — anyone can mint tokens."
                        : "An unknown kid may make the validator refetch the key set (" + Drill.jwks(requests) + " "
                                + "during the call), but it must answer: give the fetch a timeout below "
                                + Drill.seconds(bound) + ", and rate-limit refetches caused by unknown kids.");

        tokens.retireOldKeys();
        Instant retired = Instant.now();
        drill.accepts(
                "accepts a token under the current key " + k2 + " after " + k1 + " was retired",
                tokens.forTenant("acme").subject("drill").sign(),
                (answer, requests) -> "A key leaving the key set must not break the keys that stay.");
        if (cacheTime != null) {
            Drill.pause(cacheTime);
            String what = "rejects a token under the retired key " + k1 + " once the validator's cache time of "
                    + Drill.seconds(cacheTime) + " has passed";
            int before = drill.jwksRequests();
            long start = System.nanoTime();
            BoundedCall.Answer answer;
            do {
                answer = BoundedCall.run(validator, underK1, bound);
                if (!answer.accepted()) {
                    break;
                }
                Drill.pause(Duration.ofMillis(100));
            } while (System.nanoTime() - start < bound.toNanos());
            drill.expectRejected(
                    what,
                    underK1,
                    answer,
                    before,
                    (a, requests) -> a.answered()
                            ? "It still accepted it "
                                    + Duration.between(retired, Instant.now()).toSeconds() + " s after the "
                                    + "key was retired, beyond its cache time of " + Drill.seconds(cacheTime)
                                    + ": the validator never "
                                    + "refreshes a key set it holds, so a key the provider withdrew (after a leak, say) stays trusted "
                                    + "until a restart. Refresh the cached key set when it is older than the cache time (Spring "
                                    + "Security: a Cache with that expiry; Nimbus: JWKSourceBuilder.cache(ttl, refreshTimeout))."
                            : "It hung (" + Drill.jwks(requests) + " during the call).");
        }
    }
}
