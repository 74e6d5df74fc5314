/**
 * Extension points for modules built on prodlike core: {@link dev.prodlike.spi.ProfileKeys} lets a module declare
 * its own production-profile keys without touching core.
 *
 * @since 0.1.0
 */
package dev.prodlike.spi;
