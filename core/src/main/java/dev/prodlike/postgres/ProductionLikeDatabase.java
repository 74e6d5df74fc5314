package dev.prodlike.postgres;

import dev.prodlike.Provider;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against PostgreSQL of exactly the production version, with the service's real
 * Flyway migrations (or Liquibase changelog: {@code postgres.changelog}) applied, connecting as the real application role, and a fresh migrated database for every test.
 *
 * <pre>{@code
 * @ProductionLikeDatabase
 * class OrderRepositoryTests {
 *     @Test
 *     void saves(DataSource app, TenantDatabase db) { ... }
 *
 *     @Test
 *     @TenantContext("acme")
 *     void scoped(DataSource acme) { ... }
 * }
 * }</pre>
 *
 * <p>Test and lifecycle methods may declare parameters of type {@link javax.sql.DataSource} and
 * {@link java.sql.Connection} (as the app role; carrying the tenant when {@link TenantContext} is present) and
 * {@link TenantDatabase}. Every attribute defaults to the production profile ({@code prodlike.properties});
 * {@code -Dprodlike.<key>} overrides both.
 *
 * <p>The server is started once per JVM per (version, settings) and shared by all test classes; migrations run once
 * per JVM into a template database; each test gets a clone prepared ahead in the background. Safe under JUnit
 * parallel execution and Surefire forks: no two tests share a database.
 *
 * <p>May be used as a meta-annotation.
 *
 * @since 0.1.0
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ProductionLikeDatabaseExtension.class)
@API(status = API.Status.STABLE, since = "0.1.0")
public @interface ProductionLikeDatabase {

    /** @return exact PostgreSQL version such as {@code 16.4}; default {@code postgres.version} of the profile */
    String version() default "";

    /** @return Flyway locations, comma-separated; default {@code postgres.migrations} of the profile */
    String migrations() default "";

    /** @return the application role; default {@code postgres.app-role} of the profile */
    String appRole() default "";

    /** @return how long a test database lives */
    Isolation isolation() default Isolation.PER_METHOD;

    /** @return where the server comes from; default {@code provider} of the profile, else auto */
    Provider provider() default Provider.FROM_PROFILE;
}
