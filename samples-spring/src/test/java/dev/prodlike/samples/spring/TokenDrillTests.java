package dev.prodlike.samples.spring;

import static dev.prodlike.jwt.JwtAssertions.assertThatValidator;

import dev.prodlike.jwt.TestTokens;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * The service's real {@link JwtDecoder} through a key rotation and an outage of the identity provider. The drills
 * rotate the shared issuer's keys and take it down, so this class runs alone ({@link Isolated}), not beside the
 * classes whose tokens it would invalidate.
 */
@OrdersServiceTest
@Isolated
class TokenDrillTests {

    /**
     * How long one request may spend validating its token: above the decoder's 2 s key set timeouts, with room for a
     * busy CI machine.
     */
    static final Duration BOUND = Duration.ofSeconds(10);

    @Autowired
    JwtDecoder decoder;

    @Test
    void theApplicationsJwtDecoderFollowsAKeyRotation(TestTokens tokens) {
        assertThatValidator(decoder::decode).answeringWithin(BOUND).followsKeyRotation(tokens);
    }

    @Test
    void theApplicationsJwtDecoderSurvivesAnOutageOfTheIdentityProvider(TestTokens tokens) {
        assertThatValidator(decoder::decode).answeringWithin(BOUND).survivesIssuerOutage(tokens);
    }
}
