/** PostgreSQL provisioning internals: providers, templates, clones. Not API. */
package dev.prodlike.postgres.internal;
