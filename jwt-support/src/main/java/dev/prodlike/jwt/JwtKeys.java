package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * The production-profile keys of {@code prodlike-jwt-support}, as written in {@code prodlike.properties}.
 *
 * <pre>{@code
 * jwt.issuer=https://auth.example.test
 * jwt.audience=orders-api
 * jwt.algorithm=RS256
 * }</pre>
 *
 * <p>The module declares them to core through {@link dev.prodlike.spi.ProfileKeys}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class JwtKeys {

    /** Issuer ({@code iss}) production tokens carry: {@value}. */
    public static final String ISSUER = "jwt.issuer";
    /** Audience ({@code aud}) production tokens carry: {@value}. */
    public static final String AUDIENCE = "jwt.audience";
    /** Signature algorithm, RS256, ES256 or PS256: {@value}. */
    public static final String ALGORITHM = "jwt.algorithm";
    /** Name of the claim that carries the tenant (default tenant_id): {@value}. */
    public static final String TENANT_CLAIM = "jwt.tenant-claim";
    /** Lifetime of issued tokens, e.g. {@code 15m} or {@code PT15M}: {@value}. */
    public static final String TOKEN_LIFETIME = "jwt.token-lifetime";

    private JwtKeys() {}
}
