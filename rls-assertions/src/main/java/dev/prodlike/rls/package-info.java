/**
 * Proof of tenant isolation under PostgreSQL row-level security: a catalog audit plus probes as the application
 * role, as AssertJ assertions ({@link dev.prodlike.rls.RlsAssertions}) or as data ({@link dev.prodlike.rls.RlsAudit}).
 *
 * @since 0.1.0
 */
package dev.prodlike.rls;
