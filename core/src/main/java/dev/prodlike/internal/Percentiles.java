package dev.prodlike.internal;

import java.util.Arrays;
import java.util.Collection;

/**
 * The one percentile definition of prodlike's reports: the nearest-rank method. The p-th percentile of n sorted
 * values is the value at rank {@code ceil(p / 100 * n)} (1-based), so at least p percent of the values are at or
 * below it and it is always a value that was measured (never an interpolation between two). Of 10 waits the p99 is
 * the largest; of 200 it is the 198th; the p50 of an even count is the lower middle value.
 */
public final class Percentiles {

    private Percentiles() {}

    /**
     * @param sorted  values in ascending order
     * @param percent 1 to 100
     * @return the nearest-rank percentile, or 0 when there are no values
     */
    public static long nearestRank(long[] sorted, int percent) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("percent must be 1 to 100, not " + percent);
        }
        if (sorted.length == 0) {
            return 0;
        }
        // integer arithmetic: 0.99 * 100 is not exactly 99 in floating point
        long rank = ((long) percent * sorted.length + 99) / 100;
        return sorted[(int) rank - 1];
    }

    /**
     * @param values values in any order (copied, then sorted)
     * @return them sorted ascending
     */
    public static long[] sorted(Collection<Long> values) {
        long[] sorted;
        synchronized (values) { // a synchronized collection is copied under its lock
            sorted = values.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(sorted);
        return sorted;
    }
}
