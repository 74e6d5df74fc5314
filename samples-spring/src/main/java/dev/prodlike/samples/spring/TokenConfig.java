package dev.prodlike.samples.spring;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestTemplate;

/**
 * What a token must carry: the identity provider's issuer, this API's audience, an expiry and a tenant. Spring's
 * defaults accept a token without {@code exp} and know nothing of tenants: prodlike's attack suite found both.
 *
 * <p>Keys come from the identity provider's key set, cached by Spring Security (Nimbus: by kid, refetched when a token
 * names an unknown kid). The fetch gets short timeouts: Spring Security 6.5's default client has none, so while the
 * provider hangs, a token under an unknown kid held a request thread forever; prodlike's outage drill found it.
 */
@Configuration
class TokenConfig {

    /** Connect and read timeout of a key set fetch: a request waits at most this long for a hung provider. */
    static final Duration KEY_SET_TIMEOUT = Duration.ofSeconds(2);

    @Bean
    JwtDecoder jwtDecoder(
            @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer,
            @Value("${spring.security.oauth2.resourceserver.jwt.jwk-set-uri:}") String jwkSetUri,
            @Value("${spring.security.oauth2.resourceserver.jwt.audiences}") List<String> audiences) {
        // Keys from the configured key set, else from the issuer's discovery document.
        RestTemplate keySetClient = keySetClient();
        NimbusJwtDecoder decoder = jwkSetUri.isBlank()
                ? NimbusJwtDecoder.withIssuerLocation(issuer)
                        .restOperations(keySetClient)
                        .build()
                : NimbusJwtDecoder.withJwkSetUri(jwkSetUri)
                        .restOperations(keySetClient)
                        .build();
        OAuth2TokenValidator<Jwt> validator = new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(issuer),
                new JwtClaimValidator<List<String>>(
                        JwtClaimNames.AUD, aud -> aud != null && aud.stream().anyMatch(audiences::contains)),
                new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull),
                new JwtClaimValidator<String>("tenant_id", tenant -> tenant != null && !tenant.isBlank()));
        decoder.setJwtValidator(validator);
        return decoder;
    }

    private static RestTemplate keySetClient() {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(KEY_SET_TIMEOUT);
        requests.setReadTimeout(KEY_SET_TIMEOUT);
        return new RestTemplate(requests);
    }
}
