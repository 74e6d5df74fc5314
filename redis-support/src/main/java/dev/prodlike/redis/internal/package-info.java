/** Internals of prodlike's Redis support; not API, may change in any release. */
package dev.prodlike.redis.internal;
