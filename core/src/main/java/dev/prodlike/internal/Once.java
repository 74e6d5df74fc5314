package dev.prodlike.internal;

import java.util.function.Supplier;

/**
 * Computes a value once; a failure is remembered and rethrown to every later caller, so a server that cannot start
 * fails every class that needs it with the same message instead of being retried for each.
 *
 * @param <T> the value
 */
public final class Once<T> {

    private T value;
    private RuntimeException failure;

    /**
     * @param supplier computes the value on the first call
     * @return the value
     * @throws RuntimeException the first call's failure, on every call
     */
    public synchronized T get(Supplier<T> supplier) {
        if (value != null) {
            return value;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            value = supplier.get();
            return value;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** @return the value if computed successfully, else null */
    public synchronized T valueOrNull() {
        return value;
    }
}
