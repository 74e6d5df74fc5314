package dev.prodlike.spring.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.jwt.JwtKeys;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.internal.IssuerSettings;
import dev.prodlike.jwt.internal.LocalIssuer;
import dev.prodlike.spring.ProdlikeSpring;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;

/** The context's local issuer (loaded only when prodlike-jwt-support is present). */
final class JwtWiring {

    /** The bean name of the context's {@code TestTokens}. */
    static final String BEAN_NAME = "prodlikeTestTokens";

    private JwtWiring() {}

    static void wire(
            ConfigurableApplicationContext context, Map<String, String> attributes, Map<String, Object> properties) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put(JwtKeys.ISSUER, attributes.get("issuer"));
        overrides.put(JwtKeys.AUDIENCE, attributes.get("audience"));
        overrides.put(JwtKeys.ALGORITHM, attributes.get("algorithm"));
        overrides.put(JwtKeys.TENANT_CLAIM, attributes.get("tenantClaim"));
        overrides.put(JwtKeys.TOKEN_LIFETIME, attributes.get("tokenLifetime"));
        ProductionProfile profile = ProductionProfile.load().withOverrides(overrides, "@JwtIssuer");
        LocalIssuer issuer = new LocalIssuer(IssuerSettings.from(profile));
        properties.put(ProdlikeSpring.JWK_SET_URI, issuer.jwksUri().toString());
        properties.put(ProdlikeSpring.ISSUER_URI, issuer.issuer());
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        beanFactory.registerSingleton(BEAN_NAME, issuer);
        if (beanFactory instanceof DefaultListableBeanFactory registry) {
            registry.registerDisposableBean(BEAN_NAME, issuer::close);
        }
    }

    /** After each test: the shared issuer's clock follows system time again and its endpoint faults end. */
    static void resetClock(ConfigurableApplicationContext context) {
        LocalIssuer issuer = context.getBeanFactory().getBean(BEAN_NAME, LocalIssuer.class);
        issuer.clock().useSystemTime();
        issuer.endFaults();
    }

    static Object tokens(ConfigurableApplicationContext context) {
        return context.getBeanFactory().containsSingleton(BEAN_NAME)
                ? context.getBeanFactory().getBean(BEAN_NAME, TestTokens.class)
                : null;
    }
}
