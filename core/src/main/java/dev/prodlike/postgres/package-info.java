/**
 * PostgreSQL of the production version, with the service's real Flyway migrations and its real application role.
 *
 * <p>{@link dev.prodlike.postgres.ProductionLikeDatabase} on a test class starts the server once per JVM, migrates a
 * template database once, and gives every test a fresh clone ({@link dev.prodlike.postgres.Isolation}). Tests take a
 * {@code DataSource} or {@code Connection} (as the application role, so row-level security applies) or a
 * {@link dev.prodlike.postgres.TenantDatabase}; {@link dev.prodlike.postgres.TenantContext} sets the tenant on
 * them, and {@link dev.prodlike.postgres.DatabaseFaults} injects connection kills and outages.
 *
 * <pre>{@code
 * @ProductionLikeDatabase
 * class OrderRepositoryTests {
 *     @Test
 *     @TenantContext("acme")
 *     void scoped(DataSource acme) { ... }
 * }
 * }</pre>
 *
 * <p>{@code dev.prodlike.postgres.internal} is not API.
 *
 * @since 0.1.0
 */
package dev.prodlike.postgres;
