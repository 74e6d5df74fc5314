package dev.prodlike.postgres.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A clone pool's statistics for the environment report.
 *
 * @param waitP50Ms        median wait of a test for its database, in ms (nearest rank)
 * @param waitP99Ms        99th percentile of those waits, in ms (nearest rank)
 * @param served           databases handed to tests
 * @param created          clones the pool made (by {@code CREATE DATABASE}) in this run
 * @param createMeanMs     mean time to create a clone, in ms
 * @param reused           returned databases handed on unchanged
 * @param checkedChanged   returned databases checked and found changed
 * @param checkedUndecided returned databases whose check could not decide
 * @param reset            returned databases emptied again and handed on
 * @param resetMeanMs      mean time of a reset in ms (connected, from reading what was written to the new baseline)
 */
record CloneStats(
        double waitP50Ms,
        double waitP99Ms,
        long served,
        long created,
        double createMeanMs,
        long reused,
        long checkedChanged,
        long checkedUndecided,
        long reset,
        double resetMeanMs) {

    /** @return the report's entries (the benchmarks and tests read these keys) */
    Map<String, Object> reportEntries() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("cloneWaitP50Ms", round(waitP50Ms));
        stats.put("cloneWaitP99Ms", round(waitP99Ms));
        stats.put("clonesServed", served);
        stats.put("clonesCreated", created);
        stats.put("cloneCreateMeanMs", round(createMeanMs));
        stats.put("clonesReused", reused);
        stats.put("clonesCheckedChanged", checkedChanged);
        stats.put("clonesCheckedUndecided", checkedUndecided);
        stats.put("clonesReset", reset);
        stats.put("cloneResetMeanMs", round(resetMeanMs));
        return stats;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
