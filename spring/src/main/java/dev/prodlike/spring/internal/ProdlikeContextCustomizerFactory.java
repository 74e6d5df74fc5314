package dev.prodlike.spring.internal;

import dev.prodlike.postgres.ProductionLikeDatabase;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;

/**
 * Registered through {@code META-INF/spring.factories}: a test class annotated {@code @ProductionLikeDatabase},
 * {@code @RedisSession} or {@code @JwtIssuer} gets a {@link ProdlikeContextCustomizer}. Its key holds only what changes
 * the context (which of the three, and the issuer's settings), so classes with different databases share one context.
 */
public final class ProdlikeContextCustomizerFactory implements ContextCustomizerFactory {

    /** Spring Boot 3.3 brings Spring Framework 6.1; Boot 4.1 brings 7.0. */
    static final dev.prodlike.internal.SupportedLibrary SPRING = new dev.prodlike.internal.SupportedLibrary(
            "Spring Framework", "org.springframework:spring-core", "6.1.0", "7.0.0");

    static final String REDIS_SESSION = "dev.prodlike.redis.RedisSession";
    static final String JWT_ISSUER = "dev.prodlike.jwt.JwtIssuer";

    @Override
    public ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        boolean postgres = find(testClass, ProductionLikeDatabase.class.getName()) != null;
        boolean redis = find(testClass, REDIS_SESSION) != null;
        MergedAnnotation<Annotation> jwt = find(testClass, JWT_ISSUER);
        if (!postgres && !redis && jwt == null) {
            return null;
        }
        SPRING.check(org.springframework.core.SpringVersion.class);
        Map<String, String> issuer = null;
        if (jwt != null) {
            issuer = new TreeMap<>();
            for (String attribute : List.of("issuer", "audience", "algorithm", "tenantClaim", "tokenLifetime")) {
                issuer.put(attribute, jwt.getString(attribute));
            }
        }
        return new ProdlikeContextCustomizer(postgres, redis, issuer);
    }

    /** The annotation on the class, its superclasses, interfaces or enclosing classes (for {@code @Nested}). */
    private static MergedAnnotation<Annotation> find(Class<?> testClass, String annotation) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            MergedAnnotation<Annotation> found = MergedAnnotations.from(
                            c, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY)
                    .get(annotation);
            if (found.isPresent()) {
                return found;
            }
        }
        return null;
    }
}
