package dev.prodlike.redis.internal;

import dev.prodlike.internal.Percentiles;
import java.util.List;

/**
 * How long a repeated step took, for the environment report: the per-test resets of a server, or the waits for a free
 * keyspace.
 *
 * @param count how many times the step ran
 * @param p50Ms the median, in ms
 * @param p99Ms the 99th percentile, in ms
 * @param maxMs the longest, in ms
 */
record Durations(long count, double p50Ms, double p99Ms, double maxMs) {

    /**
     * @param nanos how long each run of the step took
     * @return their count, median, 99th percentile and maximum
     */
    static Durations of(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return new Durations(0, 0, 0, 0);
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Durations(
                sorted.length,
                ms(sorted[(sorted.length - 1) / 2]),
                ms(Percentiles.nearestRank(sorted, 99)),
                ms(sorted[sorted.length - 1]));
    }

    /** @return the nanoseconds in ms, rounded to the microsecond */
    static double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }
}
