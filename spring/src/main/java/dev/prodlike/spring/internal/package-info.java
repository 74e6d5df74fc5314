/** Internals of the Spring integration. Not API: anything here may change in any release. */
package dev.prodlike.spring.internal;
