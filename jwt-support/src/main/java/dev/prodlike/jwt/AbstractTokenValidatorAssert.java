package dev.prodlike.jwt;

import org.apiguardian.api.API;
import dev.prodlike.jwt.internal.AttackSuite;
import dev.prodlike.jwt.internal.DecodedToken;
import org.assertj.core.api.AbstractAssert;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Assertions on a {@link TokenValidator}, above all the attack suite {@link #rejectsKnownAttacks(TestTokens)}.
 *
 * <pre>{@code
 * assertThatValidator(token -> decoder.decode(token)).rejectsKnownAttacks(tokens);
 * assertThatValidator(token -> decoder.decode(token)).allowing(Attack.MISSING_EXP).rejectsKnownAttacks(tokens);
 * }</pre>
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractTokenValidatorAssert<SELF extends AbstractTokenValidatorAssert<SELF>>
        extends AbstractAssert<SELF, TokenValidator> {

    private final Set<Attack> allowed = EnumSet.noneOf(Attack.class);

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
            throw new IllegalArgumentException("rejectsKnownAttacks needs the TestTokens injected by @JwtIssuer, but"
                    + " got null");
        }
        TestTokens issuer = tokens;
        String genuine = issuer.forTenant("acme").subject("user-1").sign();
        Throwable rejected = AttackSuite.outcome(actual, genuine);
        if (rejected != null) {
            failWithMessage("%s", "\nExpecting validator to accept a genuine token of issuer " + issuer.issuer()
                    + " before attacking it:\n" + DecodedToken.decode(genuine).describe("  ")
                    + "\nbut it rejected it with:\n  " + rejected
                    + "\nA validator that rejects everything would pass every attack, so the attacks did not run."
                    + " Make the validator trust the issuer's keys (tokens.jwksUri() or tokens.publicKeys()), issuer "
                    + issuer.issuer() + ", audience " + issuer.audience() + " and algorithm " + issuer.algorithm() + ".");
        }
        AttackSuite.Result result = AttackSuite.run(actual, issuer, Collections.unmodifiableSet(allowed));
        if (!result.findings().isEmpty()) {
            failWithMessage("%s", AttackSuite.describe(result, issuer));
        }
        return myself;
    }
}
