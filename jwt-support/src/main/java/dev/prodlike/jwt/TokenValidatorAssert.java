package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * Assertions on a {@link TokenValidator}; see {@link AbstractTokenValidatorAssert}. Obtain one with
 * {@link JwtAssertions#assertThatValidator(TokenValidator)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class TokenValidatorAssert extends AbstractTokenValidatorAssert<TokenValidatorAssert> {

    /**
     * @param validator the validator under test
     */
    public TokenValidatorAssert(TokenValidator validator) {
        super(validator, TokenValidatorAssert.class);
    }
}
