package dev.prodlike.samples;

import dev.prodlike.jwt.JwtIssuer;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.redis.RedisSession;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Everything the orders service runs against in production, as one annotation: prodlike's annotations work as
 * meta-annotations, so a team declares its environment once. Versions, roles, issuer and audience all come from
 * {@code prodlike.properties}.
 *
 * <p>Each test gets its own migrated database, an empty Redis keyspace of its own, and (per class) a token issuer
 * with a live JWKS endpoint.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ProductionLikeDatabase
@RedisSession
@JwtIssuer
@interface OrdersEnvironment {}
