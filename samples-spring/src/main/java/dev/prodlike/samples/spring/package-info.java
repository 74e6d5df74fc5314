/**
 * A small multi-tenant orders service on Spring Boot: Spring MVC, JDBC as the {@code orders_app} role under row-level
 * security, a Redis cache, and an OAuth2 resource server whose tokens carry the tenant.
 */
package dev.prodlike.samples.spring;
