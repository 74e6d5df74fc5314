/**
 * A small multi-tenant orders service, written the way teams write them, whose integration tests show every prodlike
 * feature: PostgreSQL with row-level security used through the {@code orders_app} role ({@link
 * dev.prodlike.samples.TenantTransactions}, {@link dev.prodlike.samples.OrderRepository}), Redis as cache and session
 * store with graceful degradation ({@link dev.prodlike.samples.RedisGateway}, {@link
 * dev.prodlike.samples.OrderService}, {@link dev.prodlike.samples.SessionStore}), JWT verification against a JWKS
 * fetched by URL ({@link dev.prodlike.samples.TokenVerifier}), and a tiny HTTP API ({@link
 * dev.prodlike.samples.OrdersApplication}).
 *
 * @since 0.1.0
 */
package dev.prodlike.samples;
