package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.IssuerFault;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.TokenValidator;
import java.time.Duration;
import java.util.function.Function;

/**
 * The issuer outage drill: the JWKS and discovery endpoints down, then failing with HTTP 500, then hung; a token under
 * a key the validator already knows must still be accepted, one under an unknown kid rejected, each within the bound;
 * after the outage a newly rotated key must be picked up. Internal API.
 *
 * @since 0.1.0
 */
public final class OutageDrill {

    private static final String CORRECT = "a validator that caches keys by kid, refetches only on an unknown kid "
            + "with a timeout, and keeps its cached keys when a refetch fails, such as Spring Security's "
            + "NimbusJwtDecoder with timeouts on its RestOperations, passes";

    private record Phase(String name, Function<TestTokens, IssuerFault> fault) {}

    private static final Phase[] PHASES = {
        new Phase("down (connections refused)", t -> t.faults().refuse()),
        new Phase("failing (HTTP 500)", t -> t.faults().errors(500)),
        new Phase("hung (connections accepted, never answered)", t -> t.faults().hang()),
    };

    private OutageDrill() {}

    /**
     * Runs the drill; ends every fault it started, and rotates the issuer's keys once.
     *
     * @param validator the validator
     * @param tokens    the issuer
     * @param bound     how long the validator may take for one token
     * @throws Drill.Failure at the first failed step
     */
    public static void run(TokenValidator validator, TestTokens tokens, Duration bound) {
        Drill drill =
                new Drill("survive an outage of the issuer's JWKS and discovery endpoints", validator, tokens, bound);
        String known = tokens.currentKeyId();
        drill.eventuallyAccepts(
                "accepts a token under the current key " + known + " while the issuer is up",
                tokens.forTenant("acme").subject("drill").sign(),
                (answer, requests) -> answer.answered()
                        ? "The validator does not trust the issuer's key set: make it fetch " + tokens.jwksUri()
                                + " and require issuer " + tokens.issuer() + " and audience " + tokens.audience() + "."
                        : "The issuer is up, yet the validator gave no answer (" + Drill.jwks(requests) + ").");
        for (Phase phase : PHASES) {
            try (IssuerFault fault = phase.fault.apply(tokens)) {
                if (phase.name.startsWith("hung")) {
                    hung(drill, tokens, known, phase.name);
                } else {
                    knownKey(drill, tokens, known, phase.name);
                    unknownKid(drill, tokens, phase.name);
                }
            }
        }
        String rotated = tokens.rotateKeys();
        drill.eventuallyAccepts(
                "accepts a token under the key " + rotated + ", rotated after the outage ended",
                tokens.forTenant("acme").subject("drill").sign(),
                (answer, requests) -> answer.answered()
                        ? "The issuer is back and publishes " + rotated + ", but the validator did not pick it up "
                                + "within " + Drill.seconds(bound) + ": "
                                + (requests == 0
                                        ? "it did not fetch the key set once during the attempts, so it does not refetch on an unknown "
                                                + "kid, or a refetch rate limit stamped by a failed fetch during the outage still blocks it"
                                        : "it fetched the key set " + requests
                                                + " times during the attempts and still rejected the " + "token")
                                + " — " + CORRECT + "."
                        : "The issuer is back, yet the validator gave no answer (" + Drill.jwks(requests) + ").");
    }

    private static void knownKey(Drill drill, TestTokens tokens, String known, String phase) {
        drill.accepts(
                "accepts a token under the known key " + known + " while the issuer is " + phase,
                tokens.forTenant("acme").subject("drill").sign(),
                knownKeyDiagnosis(phase, drill.bound()));
    }

    private static Drill.Diagnosis knownKeyDiagnosis(String phase, Duration bound) {
        return (answer, requests) -> answer.answered()
                ? "It needs the issuer for a key it already fetched (" + Drill.jwks(requests) + " reached the "
                        + "issuer during the call" + (phase.startsWith("down") ? "; connections were refused" : "")
                        + "): it fetches the key set for every token, or its cache had expired, or it drops its cached keys "
                        + "when a refetch fails. Every request fails while the issuer is " + phase + " — " + CORRECT
                        + "."
                : "It waited for the issuer for a key it already fetched (" + Drill.jwks(requests) + " during the "
                        + "call): it fetches for every token without a timeout below " + Drill.seconds(bound) + " — "
                        + CORRECT + ".";
    }

    private static void unknownKid(Drill drill, TestTokens tokens, String phase) {
        String foreign = Drill.underUnpublishedKey(tokens);
        drill.rejects(
                "rejects a token under the unknown kid " + Drill.kid(foreign) + " while the issuer is " + phase,
                foreign,
                unknownKidDiagnosis(phase, drill.bound()));
    }

    private static Drill.Diagnosis unknownKidDiagnosis(String phase, Duration bound) {
        return (answer, requests) -> answer.answered()
                ? "It accepted a token signed by a key the issuer never published while the issuer was " + phase
                        + ": it fails open when the key set cannot be fetched. Reject a token whose kid is not in the "
                        + "cached key set."
                : "It did not fail closed: an unknown kid made it refetch the key set (" + Drill.jwks(requests) + " "
                        + "reached the issuer) and it waited for the issuer, " + phase + ", longer than "
                        + Drill.seconds(bound)
                        + ". Give the key set fetch a connect and read timeout well below that (Spring Security 6.5's "
                        + "default RestTemplate has none; 7.0.7+ waits 30 s) — " + CORRECT + ".";
    }

    /**
     * While hung, the unknown kid's refetch is started first and a known key's token is checked while it may be in
     * flight: a validator that fetches under the lock its key lookup also takes answers nobody meanwhile.
     */
    private static void hung(Drill drill, TestTokens tokens, String known, String phase) {
        String foreign = Drill.underUnpublishedKey(tokens);
        int before = drill.jwksRequests();
        BoundedCall unknown = BoundedCall.start(drill.validator(), foreign);
        long waitUntil = System.nanoTime() + Duration.ofMillis(500).toNanos();
        while (!unknown.isDone() && drill.jwksRequests() == before && System.nanoTime() < waitUntil) {
            Drill.pause(Duration.ofMillis(10)); // until its refetch is held by the hang, if it refetches at all
        }
        boolean inFlight = !unknown.isDone() && drill.jwksRequests() > before;
        String knownToken = tokens.forTenant("acme").subject("drill").sign();
        int beforeKnown = drill.jwksRequests();
        BoundedCall.Answer knownAnswer = BoundedCall.run(drill.validator(), knownToken, drill.bound());
        Drill.Diagnosis plain = knownKeyDiagnosis(phase, drill.bound());
        drill.expectAccepted(
                "accepts a token under the known key " + known + " while the issuer is " + phase
                        + (inFlight ? ", with a refetch for an unknown kid in flight" : ""),
                knownToken,
                knownAnswer,
                1,
                beforeKnown,
                (answer, requests) -> inFlight && !answer.answered() && requests == 0
                        ? "It made no request of its own, yet waited longer than " + Drill.seconds(drill.bound())
                                + " while a refetch for an unknown kid was held by the hung issuer: the refetch holds a lock "
                                + "that the lookup of known keys also takes, so one unknown kid stalls every request. Look "
                                + "cached keys up without that lock — " + CORRECT + "."
                        : plain.explain(answer, requests));
        drill.expectRejected(
                "rejects a token under the unknown kid " + Drill.kid(foreign) + " while the issuer is " + phase,
                foreign,
                unknown.await(drill.bound()),
                before,
                unknownKidDiagnosis(phase, drill.bound()));
    }
}
