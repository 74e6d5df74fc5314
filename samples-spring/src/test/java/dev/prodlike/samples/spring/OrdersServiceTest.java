package dev.prodlike.samples.spring;

import dev.prodlike.jwt.JwtIssuer;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.redis.RedisSession;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The orders service as it runs in production, on a fresh migrated database (as {@code orders_app}), its own Redis
 * keyspace and a local token issuer for every test, while all classes share one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(properties = "orders.test-context=mock")
@Import(ContextCounter.class)
@ProductionLikeDatabase
@RedisSession
@JwtIssuer
@interface OrdersServiceTest {}
