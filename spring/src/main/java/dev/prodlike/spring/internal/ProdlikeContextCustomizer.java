package dev.prodlike.spring.internal;

import dev.prodlike.spring.ProdlikeSpring;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Wires one application context to follow the current test: replaces its {@code DataSource} and Lettuce
 * {@code RedisConnectionFactory} beans by routing ones, switches the application's Flyway and Liquibase off, and points the OAuth2
 * resource server at a local issuer kept for the context's lifetime.
 */
final class ProdlikeContextCustomizer implements ContextCustomizer {

    private final boolean postgres;
    private final boolean redis;
    private final Map<String, String> issuer;

    ProdlikeContextCustomizer(boolean postgres, boolean redis, Map<String, String> issuer) {
        this.postgres = postgres;
        this.redis = redis;
        this.issuer = issuer;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        TestRouting routing = new TestRouting();
        beanFactory.registerSingleton(TestRouting.BEAN_NAME, routing);
        Map<String, Object> properties = new LinkedHashMap<>();
        if (postgres) {
            // prodlike migrated the template as the owner; every test database is a clone of it. The application's
            // Flyway or Liquibase would run as the app role (no DDL rights) against whichever test database is current.
            properties.put(ProdlikeSpring.FLYWAY_ENABLED, "false");
            properties.put(ProdlikeSpring.LIQUIBASE_ENABLED, "false");
        }
        StandInSettings.add(context.getEnvironment(), postgres, redis, properties);
        if (issuer != null) {
            JwtWiring.wire(context, issuer, properties);
        }
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("prodlike", properties));
        beanFactory.addBeanPostProcessor(new RoutingPostProcessor(
                beanFactory, routing, postgres, redis && RoutingPostProcessor.SPRING_DATA_REDIS));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProdlikeContextCustomizer other
                && postgres == other.postgres
                && redis == other.redis
                && Objects.equals(issuer, other.issuer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(postgres, redis, issuer);
    }

    @Override
    public String toString() {
        return "prodlike(postgres=" + postgres + ", redis=" + redis + ", jwt=" + issuer + ")";
    }
}
