package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.TokenValidator;
import dev.prodlike.jwt.internal.BoundedCall.Answer;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The steps of a drill against a validator: each step calls the validator within the bound, records what passed, and
 * stops at the first failure with the message that says which step, what the validator did and why. Internal API.
 *
 * @since 0.1.0
 */
public final class Drill {

    /** The drill's failure message, thrown at the first failed step. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Pause between two attempts of a step that may be retried within the bound. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final String expecting;
    private final TokenValidator validator;
    private final TestTokens tokens;
    private final Duration bound;
    private final List<String> passed = new ArrayList<>();
    private int step;

    /**
     * @param expecting what the drill expects, after "Expecting validator to "
     * @param validator the validator under test
     * @param tokens    the issuer
     * @param bound     how long the validator may take for one token
     */
    public Drill(String expecting, TokenValidator validator, TestTokens tokens, Duration bound) {
        this.expecting = expecting;
        this.validator = validator;
        this.tokens = tokens;
        this.bound = bound;
    }

    /** @return the bound for one answer */
    public Duration bound() {
        return bound;
    }

    /** @return the validator */
    public TokenValidator validator() {
        return validator;
    }

    /** @return how many JWKS requests the issuer got so far */
    public int jwksRequests() {
        return tokens.faults().jwksRequests();
    }

    /**
     * Calls the validator once; it must accept the token within the bound.
     *
     * @param what      the step, e.g. "a token under the current key k1 is accepted"
     * @param token     the token
     * @param diagnosis why a rejection or a hang happens, given the answer and the JWKS requests during the call
     */
    public void accepts(String what, String token, Diagnosis diagnosis) {
        int before = jwksRequests();
        Answer answer = BoundedCall.run(validator, token, bound);
        expectAccepted(what, token, answer, 1, before, diagnosis);
    }

    /**
     * Calls the validator until it accepts the token, starting attempts for at most the bound: a validator whose
     * refresh is rate limited may reject the first attempts. Each attempt may take the whole bound, as any one call
     * may: an attempt started just before the bound ran out is not cut short (on a busy machine that turned a
     * validator that kept rejecting into one that "gave no answer").
     *
     * @param what      the step
     * @param token     the token
     * @param diagnosis why a rejection or a hang happens
     */
    public void eventuallyAccepts(String what, String token, Diagnosis diagnosis) {
        int before = jwksRequests();
        long start = System.nanoTime();
        int attempts = 0;
        Answer answer;
        while (true) {
            attempts++;
            answer = BoundedCall.run(validator, token, bound);
            if (!answer.rejected() || System.nanoTime() - start + RETRY_PAUSE.toNanos() >= bound.toNanos()) {
                break;
            }
            pause(RETRY_PAUSE);
        }
        Answer total = new Answer(
                answer.answered(),
                answer.rejection(),
                Duration.ofNanos(System.nanoTime() - start).toMillis());
        expectAccepted(what, token, total, attempts, before, diagnosis);
    }

    /**
     * Calls the validator once; it must reject the token within the bound.
     *
     * @param what      the step
     * @param token     the token
     * @param diagnosis why an acceptance or a hang happens
     */
    public void rejects(String what, String token, Diagnosis diagnosis) {
        int before = jwksRequests();
        expectRejected(what, token, BoundedCall.run(validator, token, bound), before, diagnosis);
    }

    /**
     * The end of a step whose call ran elsewhere (concurrently with another).
     *
     * @param what      the step
     * @param token     the token
     * @param answer    what the validator did
     * @param before    JWKS requests before the call
     * @param diagnosis why an acceptance or a hang happens
     */
    public void expectRejected(String what, String token, Answer answer, int before, Diagnosis diagnosis) {
        step++;
        if (!answer.rejected()) {
            throw failure(
                    what,
                    token,
                    answer.answered()
                            ? "but it accepted it (" + answer.millis() + " ms):\n" + describe(token)
                            : "but it gave no answer within " + seconds(bound) + " (abandoned):\n" + describe(token),
                    diagnosis.explain(answer, jwksRequests() - before));
        }
        passed.add(line("ok", what + " (" + answer.millis() + " ms: " + answer.rejection() + ")"));
    }

    /**
     * The end of a step that expects acceptance.
     *
     * @param what      the step
     * @param token     the token
     * @param answer    what the validator did
     * @param attempts  how many calls the answer took
     * @param before    JWKS requests before the call
     * @param diagnosis why a rejection or a hang happens
     */
    public void expectAccepted(
            String what, String token, Answer answer, int attempts, int before, Diagnosis diagnosis) {
        step++;
        if (!answer.accepted()) {
            String tries = attempts == 1
                    ? ""
                    : " " + attempts + " times over " + seconds(Duration.ofMillis(answer.millis())) + ", the last time";
            throw failure(
                    what,
                    token,
                    answer.answered()
                            ? "but it rejected it" + tries + " with:\n  " + answer.rejection() + "\n" + describe(token)
                            : "but it gave no answer within " + seconds(bound) + " (abandoned):\n" + describe(token),
                    diagnosis.explain(answer, jwksRequests() - before));
        }
        passed.add(line(
                "ok",
                what + " (" + answer.millis() + " ms" + (attempts == 1 ? "" : ", " + attempts + " attempts") + ")"));
    }

    /** Explains a failed step to the reader. */
    @FunctionalInterface
    public interface Diagnosis {
        /**
         * @param answer       what the validator did
         * @param jwksRequests how many JWKS requests reached the issuer during the call
         * @return why, and what a correct validator does
         */
        String explain(Answer answer, int jwksRequests);
    }

    private Failure failure(String what, String token, String but, String diagnosis) {
        StringBuilder sb = new StringBuilder("\nExpecting validator to ")
                .append(expecting)
                .append(" (issuer ")
                .append(tokens.issuer())
                .append(", ")
                .append(tokens.algorithm())
                .append(", each answer within ")
                .append(seconds(bound))
                .append(")\n");
        passed.forEach(p -> sb.append(p).append('\n'));
        sb.append(line("FAILED", what)).append('\n').append(but).append('\n').append(diagnosis);
        return new Failure(sb.toString());
    }

    private String line(String status, String what) {
        return String.format("  %-7s %d. %s", status, step, what);
    }

    private static String describe(String token) {
        return DecodedToken.decode(token).describe("  ");
    }

    /**
     * @param d a duration
     * @return it in seconds with one decimal, e.g. "5.0 s"
     */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /**
     * @param n a number of JWKS requests
     * @return "1 JWKS request", "2 JWKS requests"
     */
    public static String jwks(int n) {
        return n + (n == 1 ? " JWKS request" : " JWKS requests");
    }

    /**
     * Sleeps, keeping the interrupt.
     *
     * @param d how long
     */
    public static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during a drill", e);
        }
    }

    /**
     * A token of the issuer's shape signed by a key the issuer never published, under a kid it never used.
     *
     * @param tokens the issuer
     * @return the token
     */
    public static String underUnpublishedKey(TestTokens tokens) {
        KeyPair foreign = Keys.generate(tokens.algorithm());
        String kid = "never-published-" + Keys.thumbprint(foreign.getPublic()).substring(0, 8);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", tokens.algorithm());
        header.put("typ", "JWT");
        header.put("kid", kid);
        Instant now = tokens.clock().instant();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", tokens.issuer());
        claims.put("sub", "drill");
        claims.put("aud", tokens.audience());
        claims.put(tokens.tenantClaim(), "acme");
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(tokens.tokenLifetime()).getEpochSecond());
        return Jws.assemble(header, claims, Jws.asymmetric(tokens.algorithm(), foreign.getPrivate()));
    }

    /**
     * @param token a token
     * @return its kid header
     */
    public static String kid(String token) {
        return String.valueOf(DecodedToken.decode(token).header().get("kid"));
    }
}
