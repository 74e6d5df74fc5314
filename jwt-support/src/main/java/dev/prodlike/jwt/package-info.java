/**
 * JWT support: {@link dev.prodlike.jwt.JwtIssuer} gives a test real tenant tokens signed by fresh keys and a live
 * JWKS endpoint on 127.0.0.1 ({@link dev.prodlike.jwt.TestTokens}); {@link dev.prodlike.jwt.JwtAssertions} checks
 * tokens and attacks the service's validator with every {@link dev.prodlike.jwt.Attack known attack}.
 *
 * <p>{@code dev.prodlike.jwt.internal} is not API.
 *
 * @since 0.1.0
 */
package dev.prodlike.jwt;
