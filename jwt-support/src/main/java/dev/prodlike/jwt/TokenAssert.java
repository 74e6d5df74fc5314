package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * Assertions on a compact JWS; see {@link AbstractTokenAssert}. Obtain one with
 * {@link JwtAssertions#assertThatToken(String)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public class TokenAssert extends AbstractTokenAssert<TokenAssert> {

    /**
     * @param token the compact JWS under test
     */
    public TokenAssert(String token) {
        super(token, TokenAssert.class);
    }
}
