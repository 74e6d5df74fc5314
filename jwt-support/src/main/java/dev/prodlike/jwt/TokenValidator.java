package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * The service's token validation as the attack suite sees it: a token goes in, returning normally means accepted,
 * any exception means rejected.
 *
 * <pre>{@code
 * assertThatValidator(token -> jwtDecoder.decode(token)).rejectsKnownAttacks(tokens);
 * assertThatValidator(token -> authFilter.authenticate("Bearer " + token)).rejectsKnownAttacks(tokens);
 * }</pre>
 *
 * <p>Wrap the real code path the service uses for incoming requests, not a test double, so that the suite attacks
 * what runs in production.
 *
 * @since 0.1.0
 */
@FunctionalInterface
@API(status = API.Status.STABLE, since = "0.1.0")
public interface TokenValidator {

    /**
     * Validates a compact JWS.
     *
     * @param token the token, as it would arrive in an {@code Authorization: Bearer} header
     * @throws Exception any exception means the token was rejected
     */
    void validate(String token) throws Exception;
}
