package dev.prodlike.jwt;

import dev.prodlike.postgres.internal.DatabaseParameterHint;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class or method a token issuer shaped like production's: fresh keys, tenant tokens and a live JWKS
 * endpoint on 127.0.0.1, injected as a {@link TestTokens} parameter.
 *
 * <pre>{@code
 * @JwtIssuer                                   // issuer, audience, algorithm from prodlike.properties
 * class AuthIT {
 *   @Test void accepts(TestTokens tokens) {
 *     String t = tokens.forTenant("acme").subject("u-1").sign();
 *     assertThatToken(t).isValidFor(tokens).hasTenant("acme");
 *     assertThatValidator(token -> verifier.verify(token)).rejectsKnownAttacks(tokens);
 *   }
 * }
 * }</pre>
 *
 * <p>Every attribute defaults to the production profile ({@code jwt.*} keys in {@code prodlike.properties}); an
 * attribute replaces the profile value, and {@code -Dprodlike.jwt.*} replaces both. {@code jwt.issuer} and
 * {@code jwt.audience} must be declared somewhere; {@code jwt.algorithm} defaults to RS256,
 * {@code jwt.tenant-claim} to {@code tenant_id} and {@code jwt.token-lifetime} to 15m.
 *
 * <p>On a class, one issuer serves the class (constructor, {@code @BeforeAll}, every test), so keys rotated in one
 * test stay rotated for the next, while its {@link TestTokens#clock() clock} returns to system time after each test;
 * on a method, that method gets its own issuer, its attributes layered over the class's. Works as a meta-annotation. The issuer and its HTTP server are closed when their scope ends.
 *
 * <p>Misconfiguration (issuer or audience not declared, a malformed value) fails the test at injection with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} that names the key and the line to add.
 *
 * @since 0.1.0
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({JwtIssuerExtension.class, DatabaseParameterHint.class})
@API(status = API.Status.STABLE, since = "0.1.0")
public @interface JwtIssuer {

    /** @return the {@code iss} of tokens; default {@code jwt.issuer} from the profile */
    String issuer() default "";

    /** @return the {@code aud} of tokens; default {@code jwt.audience} from the profile */
    String audience() default "";

    /** @return RS256, ES256 or PS256; default {@code jwt.algorithm} from the profile, else RS256 */
    String algorithm() default "";

    /** @return the claim carrying the tenant; default {@code jwt.tenant-claim} from the profile, else tenant_id */
    String tenantClaim() default "";

    /** @return token lifetime such as {@code 15m} or {@code PT15M}; default {@code jwt.token-lifetime}, else 15m */
    String tokenLifetime() default "";
}
