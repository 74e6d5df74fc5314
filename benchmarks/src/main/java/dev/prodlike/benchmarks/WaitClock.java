package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records, per thread, when JUnit is about to resolve a test method's parameters and invoke it. The first line of the
 * test method subtracts this from its own clock: the difference is how long the test waited for what prodlike
 * injects (parameter resolution), plus JUnit's negligible invocation overhead.
 *
 * <p>Where Linux exposes it ({@code /proc/thread-self/schedstat}), it also records the thread's CPU time and the time
 * it spent runnable but waiting for a CPU, read just before the clock starts and just after it stops, so that a slow
 * wait can be split into work on a CPU, waiting for a CPU, and being blocked (locks, I/O, GC and other safepoints).
 */
public final class WaitClock implements BeforeTestExecutionCallback {

    static final ThreadLocal<Long> START = new ThreadLocal<>();
    static final ThreadLocal<long[]> START_SCHED = new ThreadLocal<>();
    /** Set while row 3 runs: only its waits are split (the read costs tens of microseconds, outside the clock). */
    static volatile boolean split;

    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        START_SCHED.set(split ? schedstat() : null);
        START.set(System.nanoTime());
    }

    /** @return nanoseconds since this thread's last {@link #beforeTestExecution} */
    static long elapsed(long now) {
        return now - START.get();
    }

    /**
     * @param wait what {@link #elapsed} returned, just before this call
     * @return {wait, on CPU, runnable but waiting for a CPU} in ns, or null where Linux's schedstat is unavailable
     */
    static long[] breakdown(long wait) {
        long[] start = START_SCHED.get();
        long[] end = start == null ? null : schedstat();
        if (end == null) {
            return null;
        }
        return new long[] {wait, end[0] - start[0], end[1] - start[1]};
    }

    /** @return {ns on a CPU, ns runnable waiting for a CPU} of the current thread, or null */
    private static long[] schedstat() {
        try {
            String[] f = Files.readString(SCHEDSTAT).trim().split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
