package dev.prodlike.redis.internal;

/**
 * How long a repeated step took, for the environment report: the per-test resets of a server, or the waits for a free
 * keyspace.
 *
 * @param count how many times the step ran
 * @param p50Ms the median, in ms
 * @param p99Ms the 99th percentile, in ms
 * @param maxMs the longest, in ms
 */
record Durations(long count, double p50Ms, double p99Ms, double maxMs) {}
