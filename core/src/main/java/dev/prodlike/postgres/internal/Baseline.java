package dev.prodlike.postgres.internal;

import java.util.Map;

/**
 * A database's statistics when it was last known to equal the template.
 *
 * @param writes        rows written as the database's own statistics count them
 * @param maintenance   vacuums and analyses of its tables
 * @param tables        rows written per relation (only those with any)
 * @param sequenceReads block reads per sequence (only those with any)
 */
record Baseline(long writes, long maintenance, Map<Long, Long> tables, Map<Long, Long> sequenceReads) {

    /** A new clone: a database created from the template starts with no statistics. */
    static final Baseline FRESH = new Baseline(0, 0, Map.of(), Map.of());
}
