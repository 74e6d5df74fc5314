package dev.prodlike.jwt;

import dev.prodlike.jwt.internal.AttackSuite;
import dev.prodlike.jwt.internal.DecodedToken;
import dev.prodlike.jwt.internal.Drill;
import dev.prodlike.jwt.internal.OutageDrill;
import dev.prodlike.jwt.internal.RotationDrill;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link TokenValidator}: the attack suite {@link #rejectsKnownAttacks(TestTokens)}, and the drills
 * that prove it keeps accepting what it must through a key rotation ({@link #followsKeyRotation(TestTokens)}) and an
 * outage of the issuer ({@link #survivesIssuerOutage(TestTokens)}).
 *
 * <pre>{@code
 * assertThatValidator(token -> decoder.decode(token)).rejectsKnownAttacks(tokens);
 * assertThatValidator(token -> decoder.decode(token)).allowing(Attack.MISSING_EXP).rejectsKnownAttacks(tokens);
 * assertThatValidator(token -> decoder.decode(token)).followsKeyRotation(tokens).survivesIssuerOutage(tokens);
 * }</pre>
 *
 * <p>The drills run the validator on a thread of their own and wait at most {@link #answeringWithin(Duration) the
 * bound} (default {@value #DEFAULT_BOUND_SECONDS} s) for each token: a validator that hangs fails the drill instead of
 * the test run, and is abandoned (interrupted; it ends when the drill's fault ends).
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractTokenValidatorAssert<SELF extends AbstractTokenValidatorAssert<SELF>>
        extends AbstractAssert<SELF, TokenValidator> {

    /** How long, by default, a drill waits for the validator's answer to one token, in seconds: {@value}. */
    public static final int DEFAULT_BOUND_SECONDS = 5;

    private final Set<Attack> allowed = EnumSet.noneOf(Attack.class);
    private Duration bound = Duration.ofSeconds(DEFAULT_BOUND_SECONDS);

    /**
     * @param validator the validator under test
     * @param selfType  the concrete assertion class
     */
    protected AbstractTokenValidatorAssert(TokenValidator validator, Class<?> selfType) {
        super(validator, selfType);
    }

    /**
     * Relaxes attacks explicitly, for a service that accepts them by deliberate policy; they are not run and the
     * failure message lists them as allowed.
     *
     * @param attacks the attacks to skip, e.g. {@link Attack#MISSING_EXP}
     * @return this assertion
     */
    public SELF allowing(Attack... attacks) {
        allowed.addAll(Arrays.asList(attacks));
        return myself;
    }

    /**
     * Verifies that the validator accepts a genuine token of the issuer and then rejects a real, crafted token for
     * every {@link Attack} (except those {@link #allowing(Attack...) allowed}). Fails listing every accepted attack
     * with its name, the token decoded and why accepting it is dangerous; for {@code jku} and {@code x5u} it also
     * says whether the validator fetched the attacker's URL, which counts as a finding by itself.
     *
     * <p>The attack tokens use {@link TestTokens#clock()}; a validator that reads time from elsewhere should run
     * while that clock follows system time.
     *
     * @param tokens the issuer whose keys, issuer, audience and algorithm the validator trusts, normally the one
     *               injected by {@link JwtIssuer}
     * @return this assertion
     * @throws IllegalArgumentException when {@code tokens} is null
     */
    public SELF rejectsKnownAttacks(TestTokens tokens) {
        isNotNull();
        if (tokens == null) {
            throw new IllegalArgumentException(
                    "rejectsKnownAttacks needs the TestTokens injected by @JwtIssuer, but" + " got null");
        }
        TestTokens issuer = tokens;
        String genuine = issuer.forTenant("acme").subject("user-1").sign();
        Throwable rejected = AttackSuite.outcome(actual, genuine);
        if (rejected != null) {
            failWithMessage(
                    "%s",
                    "\nExpecting validator to accept a genuine token of issuer " + issuer.issuer()
                            + " before attacking it:\n"
                            + DecodedToken.decode(genuine).describe("  ")
                            + "\nbut it rejected it with:\n  " + rejected
                            + "\nA validator that rejects everything would pass every attack, so the attacks did not run."
                            + " Make the validator trust the issuer's keys (tokens.jwksUri() or tokens.publicKeys()), issuer "
                            + issuer.issuer() + ", audience " + issuer.audience() + " and algorithm "
                            + issuer.algorithm() + ".");
        }
        AttackSuite.Result result = AttackSuite.run(actual, issuer, Collections.unmodifiableSet(allowed));
        if (!result.findings().isEmpty()) {
            failWithMessage("%s", AttackSuite.describe(result, issuer));
        }
        return myself;
    }

    /**
     * Sets how long the drills wait for the validator's answer to one token: the most a request of the service may
     * spend on token validation. Longer than any key set fetch timeout the validator has, shorter than the
     * service's own request timeout.
     *
     * @param bound positive; default {@value #DEFAULT_BOUND_SECONDS} s
     * @return this assertion
     * @throws IllegalArgumentException when the bound is null, zero or negative
     */
    public SELF answeringWithin(Duration bound) {
        if (bound == null || bound.isZero() || bound.isNegative()) {
            throw new IllegalArgumentException(
                    "answeringWithin needs a positive duration, such as " + "Duration.ofSeconds(5), but got " + bound);
        }
        this.bound = bound;
        return myself;
    }

    /**
     * Verifies that the validator follows a key rotation as identity providers do it, with no restart:
     * <ol>
     * <li>a token under the current key {@code k1} is accepted (retried within the bound);</li>
     * <li>after {@link TestTokens#rotateKeys()} a token under the new key {@code k2} is accepted by the same
     * validator (retried within the bound, so a short refetch rate limit passes);</li>
     * <li>a token under {@code k1}, still published, is still accepted;</li>
     * <li>a token under a kid that was never published is rejected;</li>
     * <li>after {@link TestTokens#retireOldKeys()}, a token under {@code k2} is still accepted.</li>
     * </ol>
     * Tokens under the retired {@code k1} are not checked: a validator may trust a key set it holds for its cache
     * time. Use {@link #followsKeyRotation(TestTokens, Duration)} to require their rejection after it. The drill
     * leaves the issuer rotated, with only {@code k2} published.
     *
     * @param tokens the issuer the validator trusts, whose JWKS it fetches by URL
     * @return this assertion
     */
    public SELF followsKeyRotation(TestTokens tokens) {
        return drill(() -> RotationDrill.run(actual, requireTokens(tokens, "followsKeyRotation"), null, bound));
    }

    /**
     * Like {@link #followsKeyRotation(TestTokens)}, and then: once {@code cacheTime} has passed since
     * {@link TestTokens#retireOldKeys()}, a token under the retired key must be rejected (retried within the bound).
     * The drill waits {@code cacheTime}, so give the validator under test a short one.
     *
     * @param tokens    the issuer the validator trusts
     * @param cacheTime the longest time the validator trusts a key set it fetched, e.g. its cache's expiry
     * @return this assertion
     * @throws IllegalArgumentException when {@code cacheTime} is null or negative
     */
    public SELF followsKeyRotation(TestTokens tokens, Duration cacheTime) {
        if (cacheTime == null || cacheTime.isNegative()) {
            throw new IllegalArgumentException(
                    "followsKeyRotation needs the validator's cache time (zero or more), " + "but got " + cacheTime);
        }
        return drill(() -> RotationDrill.run(actual, requireTokens(tokens, "followsKeyRotation"), cacheTime, bound));
    }

    /**
     * Verifies that the validator rides out an outage of the issuer's JWKS and discovery endpoints. While they are
     * down (connections refused), then failing (HTTP 500), then hung (accepted, never answered): a token under the
     * key the validator already fetched is accepted, and a token under an unknown kid is rejected — each within the
     * bound, so a validator that waits for the issuer without a timeout fails closed or fails the drill. While hung,
     * the known key's token is checked while the unknown kid's refetch is in flight. After the outage,
     * {@link TestTokens#rotateKeys()} and a token under the new key must be accepted (retried within the bound).
     * Every fault ends when the drill ends; the issuer is left rotated.
     *
     * @param tokens the issuer the validator trusts, whose JWKS it fetches by URL
     * @return this assertion
     */
    public SELF survivesIssuerOutage(TestTokens tokens) {
        return drill(() -> OutageDrill.run(actual, requireTokens(tokens, "survivesIssuerOutage"), bound));
    }

    private SELF drill(Runnable drill) {
        isNotNull();
        try {
            drill.run();
        } catch (Drill.Failure failure) {
            failWithMessage("%s", failure.getMessage());
        }
        return myself;
    }

    private static TestTokens requireTokens(TestTokens tokens, String drill) {
        if (tokens == null) {
            throw new IllegalArgumentException(drill + " needs the TestTokens injected by @JwtIssuer, but got null");
        }
        return tokens;
    }
}
