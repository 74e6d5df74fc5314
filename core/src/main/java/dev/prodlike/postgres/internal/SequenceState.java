package dev.prodlike.postgres.internal;

/**
 * A sequence's state as {@code setval} takes it back.
 *
 * @param lastValue its {@code last_value}
 * @param called    its {@code is_called}
 */
record SequenceState(long lastValue, boolean called) {}
