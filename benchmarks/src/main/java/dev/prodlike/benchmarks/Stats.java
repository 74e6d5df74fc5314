package dev.prodlike.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** Percentiles and means of a sample of durations in milliseconds (nearest-rank). */
final class Stats {

    private final List<Double> sorted;

    Stats(Collection<Double> millis) {
        this.sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
    }

    static Stats ofNanos(Collection<Long> nanos) {
        List<Double> ms = new ArrayList<>();
        for (long n : nanos) {
            ms.add(n / 1e6);
        }
        return new Stats(ms);
    }

    int count() {
        return sorted.size();
    }

    /** @param p in [0, 100] @return nearest-rank percentile, NaN when empty */
    double percentile(double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }

    double min() {
        return sorted.isEmpty() ? Double.NaN : sorted.get(0);
    }

    double max() {
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1);
    }

    /** @param ms a threshold @return how many values exceed it */
    int countOver(double ms) {
        return (int) sorted.stream().filter(v -> v > ms).count();
    }

    double mean() {
        return sorted.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
