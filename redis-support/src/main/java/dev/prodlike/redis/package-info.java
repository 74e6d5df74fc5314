/** Placeholder until the module's issue lands. @since 0.1.0 */
package dev.prodlike.redis;
