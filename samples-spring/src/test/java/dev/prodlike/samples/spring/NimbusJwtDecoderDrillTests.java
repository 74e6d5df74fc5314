package dev.prodlike.samples.spring;

import static dev.prodlike.jwt.JwtAssertions.assertThatValidator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodlike.jwt.JwtIssuer;
import dev.prodlike.jwt.TestTokens;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.core.SpringSecurityCoreVersion;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestTemplate;

/**
 * Spring Security's {@link NimbusJwtDecoder} on its own (no application context), as the reference for the drills:
 * configured with timeouts it passes both; as built by default it does not fail closed while the issuer hangs.
 */
@JwtIssuer
class NimbusJwtDecoderDrillTests {

    @Test
    void nimbusJwtDecoderWithFetchTimeoutsPassesBothDrills(TestTokens tokens) {
        NimbusJwtDecoder decoder = decoder(
                NimbusJwtDecoder.withJwkSetUri(tokens.jwksUri().toString())
                        .restOperations(withTimeouts(Duration.ofSeconds(2))),
                tokens);

        assertThatValidator(decoder::decode)
                .answeringWithin(Duration.ofSeconds(15)) // generous: shared CI machines
                .followsKeyRotation(tokens)
                .survivesIssuerOutage(tokens);
    }

    @Test
    void nimbusJwtDecoderAsBuiltByDefaultWaitsForAHungIssuer(TestTokens tokens) {
        // Spring Security 6.5's default RestTemplate has no timeouts, so it exceeds the bound; 7 bounds its fetch
        NimbusJwtDecoder decoder =
                decoder(NimbusJwtDecoder.withJwkSetUri(tokens.jwksUri().toString()), tokens);

        AssertionError error = catchThrowableOfType(
                AssertionError.class,
                () -> assertThatValidator(decoder::decode)
                        .answeringWithin(Duration.ofSeconds(3))
                        .survivesIssuerOutage(tokens));

        String version = SpringSecurityCoreVersion.getVersion();
        if (version != null && !version.startsWith("6.")) {
            // Spring Security 7 (Boot 4) bounds the default decoder's key-set fetch: it fails closed in time.
            assertThat(error)
                    .as("the default NimbusJwtDecoder of Spring Security %s", version)
                    .isNull();
            return;
        }
        assertThat(error)
                .as("the default NimbusJwtDecoder of Spring Security %s", version)
                .isNotNull();
        assertThat(error.getMessage())
                .contains(
                        "  ok      6. accepts a token under the known key ",
                        "  FAILED  7. rejects a token under the unknown kid never-published-",
                        " while the issuer is hung (connections accepted, never answered)\n"
                                + "but it gave no answer within 3.0 s (abandoned):",
                        "It did not fail closed: an unknown kid made it refetch the key set (1 JWKS request reached "
                                + "the issuer)");
    }

    private static NimbusJwtDecoder decoder(NimbusJwtDecoder.JwkSetUriJwtDecoderBuilder builder, TestTokens tokens) {
        NimbusJwtDecoder decoder = builder.build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(tokens.issuer()),
                new JwtClaimValidator<List<String>>(
                        JwtClaimNames.AUD, aud -> aud != null && aud.contains(tokens.audience()))));
        return decoder;
    }

    static RestTemplate withTimeouts(Duration timeout) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(timeout);
        requests.setReadTimeout(timeout);
        return new RestTemplate(requests);
    }
}
