/**
 * Internals shared by the prodlike modules: caches, process supervision, drift tables and the environment report.
 * Not API: anything here may change in any release.
 */
package dev.prodlike.internal;
