/** Internals of prodlike's RLS audit: catalog reads, policy analysis and probes. Not API; may change without notice. */
package dev.prodlike.rls.internal;
