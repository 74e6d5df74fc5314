package dev.prodlike.jwt.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.jwt.JwtKeys;
import java.time.Duration;
import java.util.Objects;

/** The resolved settings of one issuer. Internal API.
 *
 * @since 0.1.0
 */
public final class IssuerSettings {

    /** Tenant claim when the profile names none: {@value}. */
    public static final String DEFAULT_TENANT_CLAIM = "tenant_id";
    /** Algorithm when the profile names none: {@value}. */
    public static final String DEFAULT_ALGORITHM = "RS256";
    /** Token lifetime when the profile names none: {@value}. */
    public static final String DEFAULT_TOKEN_LIFETIME = "15m";

    private final String issuer;
    private final String audience;
    private final String algorithm;
    private final String tenantClaim;
    private final Duration tokenLifetime;

    /** Creates settings from already validated values. */
    public IssuerSettings(
            String issuer, String audience, String algorithm, String tenantClaim, Duration tokenLifetime) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.audience = Objects.requireNonNull(audience, "audience");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.tenantClaim = Objects.requireNonNull(tenantClaim, "tenantClaim");
        this.tokenLifetime = Objects.requireNonNull(tokenLifetime, "tokenLifetime");
    }

    /**
     * Reads the settings from a profile that already has annotation overrides applied.
     *
     * @throws org.junit.jupiter.api.extension.ExtensionConfigurationException when issuer or audience is not
     *                                                                         declared
     */
    public static IssuerSettings from(ProductionProfile profile) {
        return new IssuerSettings(
                profile.require(JwtKeys.ISSUER, "https://auth.example.test"),
                profile.require(JwtKeys.AUDIENCE, "orders-api"),
                profile.get(JwtKeys.ALGORITHM, DEFAULT_ALGORITHM),
                profile.get(JwtKeys.TENANT_CLAIM, DEFAULT_TENANT_CLAIM),
                ProductionProfile.parseDuration(profile.get(JwtKeys.TOKEN_LIFETIME, DEFAULT_TOKEN_LIFETIME)));
    }

    /** @return iss */
    public String issuer() {
        return issuer;
    }

    /** @return aud */
    public String audience() {
        return audience;
    }

    /** @return RS256, ES256 or PS256 */
    public String algorithm() {
        return algorithm;
    }

    /** @return the tenant claim name */
    public String tenantClaim() {
        return tenantClaim;
    }

    /** @return exp - iat */
    public Duration tokenLifetime() {
        return tokenLifetime;
    }
}
