package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * Entry point of the JWT assertions: tokens and token validators.
 *
 * <pre>{@code
 * import static dev.prodlike.jwt.JwtAssertions.*;
 *
 * assertThatToken(t).isValidFor(tokens).hasTenant("acme").expiresWithin(Duration.ofMinutes(16));
 * assertThatValidator(token -> verifier.verify(token)).rejectsKnownAttacks(tokens);
 * assertThatValidator(verifier::verify).allowing(Attack.MISSING_EXP).rejectsKnownAttacks(tokens);
 * }</pre>
 *
 * <p>Failure messages show the token's decoded header and claims, never only the raw token. Subclass to add your own
 * entry points next to these.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class JwtAssertions {

    /** For subclasses that add entry points. */
    protected JwtAssertions() {}

    /**
     * @param token a compact JWS
     * @return assertions on the token
     */
    public static TokenAssert assertThatToken(String token) {
        return new TokenAssert(token);
    }

    /**
     * @param validator the service's validation, e.g. {@code token -> decoder.decode(token)}
     * @return assertions on the validator, including the attack suite
     */
    public static TokenValidatorAssert assertThatValidator(TokenValidator validator) {
        return new TokenValidatorAssert(validator);
    }
}
