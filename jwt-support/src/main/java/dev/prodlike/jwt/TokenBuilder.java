package dev.prodlike.jwt;

import java.time.Duration;
import java.time.Instant;
import org.apiguardian.api.API;

/**
 * Builds one token of a {@link TestTokens} issuer, signed with its current key via jjwt.
 *
 * <p>The token carries the issuer, audience, tenant claim, {@code iat} (from {@link TestTokens#clock()}) and
 * {@code exp} ({@code iat} plus the profile's token lifetime) unless changed here:
 *
 * <pre>{@code
 * String t = tokens.forTenant("acme").subject("u-1").claim("roles", List.of("admin"))
 *                  .expiresIn(Duration.ofMinutes(5)).sign();
 * }</pre>
 *
 * <p>Not thread-safe; a builder is meant for one token.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public interface TokenBuilder {

    /**
     * @param subject the {@code sub} claim
     * @return this builder
     */
    TokenBuilder subject(String subject);

    /**
     * Adds a claim; a registered claim name ({@code iss}, {@code aud}, ...) overrides what the issuer puts there,
     * which is how a test builds a deliberately wrong token.
     *
     * @param name  the claim name
     * @param value a JSON-compatible value: string, number, boolean, list or map
     * @return this builder
     */
    TokenBuilder claim(String name, Object value);

    /**
     * @param lifetime time from {@code iat} to {@code exp}; negative makes an already expired token
     * @return this builder
     */
    TokenBuilder expiresIn(Duration lifetime);

    /**
     * Omits {@code exp}, producing a token that never expires (production issuers should never do this).
     *
     * @return this builder
     */
    TokenBuilder withoutExpiration();

    /**
     * @param notBefore the {@code nbf} claim
     * @return this builder
     */
    TokenBuilder notBefore(Instant notBefore);

    /**
     * @param issuedAt the {@code iat} claim (default: now on {@link TestTokens#clock()}); {@code exp} is relative
     *                 to it
     * @return this builder
     */
    TokenBuilder issuedAt(Instant issuedAt);

    /**
     * Signs the token with the issuer's current key.
     *
     * @return the compact JWS
     */
    String sign();
}
