package dev.prodlike.postgres;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scopes the {@link javax.sql.DataSource} and {@link java.sql.Connection} injected by {@link ProductionLikeDatabase}
 * to a tenant: their connections carry {@code postgres.tenant-setting} (e.g. {@code app.current_tenant}) set to
 * {@link #value()}, and drop it when closed.
 *
 * <pre>{@code
 * @Test
 * @TenantContext("acme")
 * void seesOwnOrders(DataSource acme) { ... }
 * }</pre>
 *
 * <p>On a method it overrides one on the class. Requires {@code postgres.tenant-setting} in the profile and
 * {@link ProductionLikeDatabase} on the test class; without it, injection fails and says so.
 *
 * @since 0.1.0
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ProductionLikeDatabaseExtension.class)
@API(status = API.Status.STABLE, since = "0.1.0")
public @interface TenantContext {

    /** @return the tenant id the connections carry */
    String value();
}
