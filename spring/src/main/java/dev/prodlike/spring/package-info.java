/**
 * Spring Boot integration: {@code @ProductionLikeDatabase}, {@code @RedisSession} and {@code @JwtIssuer} on a
 * {@code @SpringBootTest} (or {@code @JdbcTest}, {@code @DataJdbcTest}, ...) class make the application context
 * follow the current test's prodlike environment while Spring's context cache keeps working.
 *
 * <p>Nothing to call: adding {@code prodlike-spring} to the test classpath registers a {@code ContextCustomizerFactory}
 * and a {@code TestExecutionListener} through {@code META-INF/spring.factories}. See {@link ProdlikeSpring} for what
 * is wired and the limits.
 */
package dev.prodlike.spring;
