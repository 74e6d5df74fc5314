package dev.prodlike.benchmarks;

import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records, per thread, when JUnit is about to resolve a test method's parameters and invoke it. The first line of the
 * test method subtracts this from its own clock: the difference is how long the test waited for what prodlike
 * injects (parameter resolution), plus JUnit's negligible invocation overhead.
 */
public final class WaitClock implements BeforeTestExecutionCallback {

    static final ThreadLocal<Long> START = new ThreadLocal<>();

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        START.set(System.nanoTime());
    }

    /** @return nanoseconds since this thread's last {@link #beforeTestExecution} */
    static long elapsed(long now) {
        return now - START.get();
    }
}
