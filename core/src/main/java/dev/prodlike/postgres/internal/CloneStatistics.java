package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Percentiles;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What a {@link ClonePool} counts while it runs; {@link #snapshot()} turns it into a {@link CloneStats}. */
final class CloneStatistics {

    private final List<Long> waitsNanos = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong createNanos = new AtomicLong();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger reused = new AtomicInteger();
    private final AtomicInteger changed = new AtomicInteger();
    private final AtomicInteger undecided = new AtomicInteger();
    private final AtomicInteger recycled = new AtomicInteger();
    /** Time spent resetting the databases that were reset. */
    private final AtomicLong resetNanos = new AtomicLong();

    void waited(long nanos) {
        waitsNanos.add(nanos);
    }

    void created(long nanos) {
        createNanos.addAndGet(nanos);
        created.incrementAndGet();
    }

    void resetTook(long nanos) {
        resetNanos.addAndGet(nanos);
    }

    /** Counts a returned database's verdict; databases not checked are not counted. */
    void judged(Verdict verdict) {
        switch (verdict) {
            case UNCHANGED -> reused.incrementAndGet();
            case RESET -> recycled.incrementAndGet();
            case CHANGED -> changed.incrementAndGet();
            case UNDECIDED -> undecided.incrementAndGet();
            case NOT_CHECKED -> {
                // dropped without a look: nothing learnt
            }
        }
    }

    CloneStats snapshot() {
        long[] waits = Percentiles.sorted(waitsNanos);
        int n = created.get();
        int r = recycled.get();
        return new CloneStats(
                Percentiles.nearestRank(waits, 50) / 1e6,
                Percentiles.nearestRank(waits, 99) / 1e6,
                waits.length,
                n,
                n == 0 ? 0 : createNanos.get() / 1e6 / n,
                reused.get(),
                changed.get(),
                undecided.get(),
                r,
                r == 0 ? 0 : resetNanos.get() / 1e6 / r);
    }
}
