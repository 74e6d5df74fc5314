package dev.prodlike.jwt;

import static dev.prodlike.jwt.JwtAssertions.assertThatValidator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The rotation and outage drills against validators written the ways services fetch key sets. Each test has its own
 * issuer (the drills rotate keys and take the issuer down).
 */
class DrillTests {

    /** For the validators expected to pass: generous, because the machines that run this suite are shared. */
    static final Duration PASSING_BOUND = Duration.ofSeconds(15);
    /**
     * For the fetch-once validator, expected to fail by rejecting: a short bound, since a rejected step is retried
     * until it ends (its key set was fetched before the drill, so no step waits for the issuer).
     */
    static final Duration FAILING_BOUND = Duration.ofSeconds(2);

    @Test
    @JwtIssuer
    void aValidatorThatFetchesTheKeySetOnceFailsTheRotationDrill(TestTokens tokens) throws Exception {
        TokenValidator validator = KeySetValidators.fetchOnce(tokens);

        String message = failure(() ->
                assertThatValidator(validator).answeringWithin(FAILING_BOUND).followsKeyRotation(tokens));

        assertThat(message)
                .contains("Expecting validator to follow a key rotation (issuer https://auth.example.test, RS256, each "
                        + "answer within 2.0 s)")
                .containsPattern("  ok      1\\. accepts a token under the current key [^ ]+ \\([0-9]+ ms\\)\n"
                        + "  FAILED  2\\. accepts a token under the rotated key [^ ]+, with no restart\n"
                        + "but it rejected it [0-9]+ times over [0-9.]+ s, the last time with:\n"
                        + "  java.lang.SecurityException: no key [^ ]+ in the issuer's key set\n"
                        + "  header:    \\{\"kid\":\"[^\"]+\",\"typ\":\"JWT\",\"alg\":\"RS256\"}\n")
                .contains(
                        "It rejected a token under the rotated key " + tokens.currentKeyId() + " published ",
                        " s earlier: the validator does not refetch the key set on an unknown kid (no JWKS request "
                                + "since the rotation) — a validator that caches keys by kid and refetches the key set "
                                + "on an unknown kid, such as Spring Security's NimbusJwtDecoder, passes.");
    }

    /**
     * A validator that keeps rejecting, slowly: the attempt started just before the bound ran out still gets the
     * whole bound, so the step says it rejected, not that it gave no answer (which a busy machine made of a last
     * attempt with only a few milliseconds left).
     */
    @Test
    @JwtIssuer
    void aRejectingValidatorsLastAttemptIsNotCutShort(TestTokens tokens) throws Exception {
        TokenValidator fetchOnce = KeySetValidators.fetchOnce(tokens);
        TokenValidator slow = token -> {
            Thread.sleep(700); // attempts start at 0, 0.8 and 1.6 s of the 2 s bound: the third has 0.4 s left
            fetchOnce.validate(token);
        };

        String message = failure(
                () -> assertThatValidator(slow).answeringWithin(FAILING_BOUND).followsKeyRotation(tokens));

        assertThat(message)
                .containsPattern("  FAILED  2\\. accepts a token under the rotated key [^ ]+, with no restart\n"
                        + "but it rejected it 3 times over [0-9.]+ s, the last time with:\n")
                .doesNotContain("no answer");
    }

    @Test
    @JwtIssuer
    void aValidatorThatFetchesTheKeySetOnceStillSurvivesTheOutageUntilTheNextRotation(TestTokens tokens)
            throws Exception {
        String message = failure(() -> assertThatValidator(KeySetValidators.fetchOnce(tokens))
                .answeringWithin(FAILING_BOUND)
                .survivesIssuerOutage(tokens));

        assertThat(message)
                .contains(
                        "  ok      6. accepts a token under the known key",
                        "  ok      7. rejects a token under the unknown kid never-published-",
                        "  FAILED  8. accepts a token under the key " + tokens.currentKeyId()
                                + ", rotated after the outage ended\n",
                        "it did not fetch the key set once during the attempts");
    }

    @Test
    @JwtIssuer
    void aValidatorThatFetchesOnEveryTokenPassesTheRotationDrill(TestTokens tokens) {
        assertThatValidator(KeySetValidators.fetchEveryToken(tokens))
                .answeringWithin(PASSING_BOUND)
                .followsKeyRotation(tokens, Duration.ZERO);
    }

    @Test
    @JwtIssuer
    void aValidatorThatFetchesOnEveryTokenFailsTheOutageDrill(TestTokens tokens) {
        String known = tokens.currentKeyId();

        String message = failure(() ->
                assertThatValidator(KeySetValidators.fetchEveryToken(tokens)).survivesIssuerOutage(tokens));

        assertThat(message)
                .contains(
                        "Expecting validator to survive an outage of the issuer's JWKS and discovery endpoints",
                        "  FAILED  2. accepts a token under the known key " + known + " while the issuer is down "
                                + "(connections refused)\nbut it rejected it with:\n",
                        "the key set could not be fetched: java.net.ConnectException",
                        "It needs the issuer for a key it already fetched (0 JWKS requests reached the issuer during "
                                + "the call; connections were refused): it fetches the key set for every token");
    }

    @Test
    @JwtIssuer
    void aValidatorThatCachesByKidAndRefetchesOnAMissPassesBothDrills(TestTokens tokens) {
        TokenValidator validator = KeySetValidators.cacheByKid(tokens, null);

        assertThatValidator(validator)
                .answeringWithin(PASSING_BOUND)
                .followsKeyRotation(tokens)
                .survivesIssuerOutage(tokens);
    }

    @Test
    @JwtIssuer
    void aCacheWithAnExpiryRejectsARetiredKeyAfterItsCacheTime(TestTokens tokens) {
        Duration cacheTime = Duration.ofSeconds(1);

        assertThatValidator(KeySetValidators.cacheByKid(tokens, cacheTime))
                .answeringWithin(PASSING_BOUND)
                .followsKeyRotation(tokens, cacheTime)
                .survivesIssuerOutage(tokens);
    }

    @Test
    @JwtIssuer
    void aCacheThatNeverExpiresKeepsTrustingARetiredKey(TestTokens tokens) {
        String k1 = tokens.currentKeyId();

        String message = failure(() -> assertThatValidator(KeySetValidators.cacheByKid(tokens, null))
                .followsKeyRotation(tokens, Duration.ofMillis(500)));

        assertThat(message)
                .contains("  FAILED  6. rejects a token under the retired key " + k1 + " once the validator's cache "
                        + "time of 0.5 s has passed\nbut it accepted it (")
                .contains(" s after the key was retired, beyond its cache time of 0.5 s: the validator never refreshes "
                        + "a key set it holds");
    }

    @Test
    @JwtIssuer
    void aValidatorThatFailsOpenWhileTheIssuerIsDownIsCaught(TestTokens tokens) {
        String message = failure(
                () -> assertThatValidator(KeySetValidators.failsOpen(tokens)).survivesIssuerOutage(tokens));

        assertThat(message)
                .containsPattern("  FAILED  3\\. rejects a token under the unknown kid never-published-[^ ]+ while the "
                        + "issuer is down \\(connections refused\\)\nbut it accepted it \\([0-9]+ ms\\):\n"
                        + "  header:    \\{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"never-published-")
                .contains("It accepted a token signed by a key the issuer never published while the issuer was down "
                        + "(connections refused): it fails open when the key set cannot be fetched.");
    }

    @Test
    @JwtIssuer
    void aValidatorThatFetchesUnderItsLookupLockWithoutATimeoutStallsEveryRequest(TestTokens tokens) {
        String message = failure(() -> assertThatValidator(KeySetValidators.fetchUnderLockWithoutTimeout(tokens))
                .answeringWithin(Duration.ofSeconds(2))
                .survivesIssuerOutage(tokens));

        assertThat(message)
                .contains(
                        "  ok      5. rejects a token under the unknown kid never-published-",
                        ", with a refetch for an unknown kid in flight\nbut it gave no answer within 2.0 s "
                                + "(abandoned):\n",
                        "It made no request of its own, yet waited longer than 2.0 s while a refetch for an unknown "
                                + "kid was held by the hung issuer: the refetch holds a lock that the lookup of known "
                                + "keys also takes");
        // the drill ended the hang, so the abandoned call came back and the issuer answers again
        assertThat(tokens.faults().jwksRequests()).isPositive();
        assertThatCode(() -> Validators.get(tokens.jwksUri())).doesNotThrowAnyException();
    }

    @Test
    @JwtIssuer
    void aValidatorWithoutAFetchTimeoutDoesNotFailClosedUnderAHang(TestTokens tokens) {
        TokenValidator noTimeoutNoLock = KeySetValidators.fetchUnderLockWithoutTimeout(tokens);
        // the lookup lock is not what this test is about: only the unknown kid's own call must come back
        TokenValidator validator = token -> noTimeoutNoLock.validate(token);

        String message = failure(() -> assertThatValidator(validator)
                .answeringWithin(Duration.ofSeconds(1))
                .survivesIssuerOutage(tokens));

        assertThat(message)
                .contains(
                        "while the issuer is hung (connections accepted, never answered)",
                        "but it gave no answer within 1.0 s (abandoned):");
    }

    @Test
    @JwtIssuer
    void drillsRefuseNullAndNonsense(TestTokens tokens) {
        TokenValidator validator = KeySetValidators.cacheByKid(tokens, null);
        assertThatThrownBy(() -> assertThatValidator(validator).followsKeyRotation(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("followsKeyRotation needs the TestTokens injected by @JwtIssuer, but got null");
        assertThatThrownBy(() -> assertThatValidator(validator).followsKeyRotation(tokens, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("followsKeyRotation needs the validator's cache time (zero or more), but got PT-1S");
        assertThatThrownBy(() -> assertThatValidator(validator).answeringWithin(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("answeringWithin needs a positive duration, such as Duration.ofSeconds(5), but got PT0S");
    }

    static String failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable drill) {
        AssertionError error = catchThrowableOfType(AssertionError.class, drill);
        assertThat(error).as("the drill must fail").isNotNull();
        return error.getMessage();
    }
}
