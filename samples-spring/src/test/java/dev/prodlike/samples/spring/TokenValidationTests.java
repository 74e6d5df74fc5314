package dev.prodlike.samples.spring;

import static dev.prodlike.jwt.JwtAssertions.assertThatValidator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.prodlike.jwt.TestTokens;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.context.WebApplicationContext;

/**
 * The service's real resource-server configuration (issuer, audience, keys from the JWKS endpoint) against prodlike's
 * attack suite.
 */
@OrdersServiceTest
class TokenValidationTests {

    @Autowired
    JwtDecoder decoder;

    @Autowired
    WebApplicationContext context;

    @Test
    void sharesTheOneApplicationContext() {
        assertThat(ContextCounter.started("mock")).isEqualTo(1);
    }

    @Test
    void theApplicationsJwtDecoderRejectsKnownAttacks(TestTokens tokens) {
        assertThat(decoder.decode(tokens.forTenant("acme").sign()).getClaimAsString("tenant_id"))
                .isEqualTo("acme");
        assertThatValidator(decoder::decode).rejectsKnownAttacks(tokens);
    }

    @Test
    void anExpiredTokenIsRefusedAtTheDoor(TestTokens tokens) throws Exception {
        String expired =
                tokens.forTenant("acme").expiresIn(Duration.ofMinutes(-5)).sign();
        Api.mockMvc(context).perform(Api.list("Bearer " + expired)).andExpect(status().isUnauthorized());
    }
}
