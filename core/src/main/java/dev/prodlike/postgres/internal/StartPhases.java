package dev.prodlike.postgres.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** How long the phases of a server's start took (copy, boot, ...), in ms, for the environment report. */
final class StartPhases {

    /** Written by the copy thread too. */
    private final Map<String, Object> millis = Collections.synchronizedMap(new LinkedHashMap<>());

    /** Records a phase that took from {@code fromNanos} to {@code toNanos} ({@link System#nanoTime()}). */
    void took(String phase, long fromNanos, long toNanos) {
        millis.put(phase, (toNanos - fromNanos) / 1_000_000);
    }

    /** Records a phase that started at {@code fromNanos} and ends now. */
    void since(String phase, long fromNanos) {
        took(phase, fromNanos, System.nanoTime());
    }

    void put(String phase, long ms) {
        millis.put(phase, ms);
    }

    /** Adds an entry that is not a duration (e.g. the cache entries rebuilt). */
    void note(String key, Object value) {
        millis.put(key, value);
    }

    /** @return the phases so far, in the order they were recorded */
    Map<String, Object> asMap() {
        synchronized (millis) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(millis));
        }
    }
}
