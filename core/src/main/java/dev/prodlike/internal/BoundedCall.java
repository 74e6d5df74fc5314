package dev.prodlike.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Runs a call of the code under test on a worker thread and waits for it at most a bound: an assertion about a call
 * that may hang forever must itself stop. The worker works for the calling test ({@link CurrentTest}), so the
 * application's connections route as on the test's thread. A call still running when the bound passes is interrupted
 * and left behind on its daemon thread (a blocking socket read ignores interrupts; it ends when the test's network
 * fault ends, at the latest with the test).
 */
public final class BoundedCall {

    /**
     * What happened.
     *
     * @param finished whether the call returned or threw within the bound
     * @param failure  what it threw, or null
     * @param elapsed  how long it ran (the bound, when unfinished)
     * @param stack    where the worker was blocked when the bound passed (empty when finished)
     */
    public record Outcome(boolean finished, Throwable failure, Duration elapsed, String stack) {}

    private BoundedCall() {}

    /**
     * @param call  the call
     * @param bound how long to wait at most
     * @return the outcome
     */
    public static Outcome run(ThrowingCallable call, Duration bound) {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        long[] end = new long[1];
        CurrentTest test = CurrentTest.onThisThread().orElse(null);
        Thread worker = new Thread(
                () -> {
                    if (test != null) {
                        test.adoptOnThisThread();
                    }
                    try {
                        call.call();
                    } catch (Throwable t) {
                        failure[0] = t;
                    } finally {
                        CurrentTest.leaveThisThread();
                        end[0] = System.nanoTime();
                        done.countDown();
                    }
                },
                "prodlike-bounded-call");
        worker.setDaemon(true);
        long start = System.nanoTime();
        worker.start();
        boolean finished;
        try {
            finished = done.await(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (finished) {
            return new Outcome(true, failure[0], Duration.ofNanos(end[0] - start), "");
        }
        StringBuilder stack = new StringBuilder();
        StackTraceElement[] frames = worker.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 25); i++) {
            stack.append("\tat ").append(frames[i]).append('\n');
        }
        worker.interrupt();
        return new Outcome(false, null, Duration.ofNanos(System.nanoTime() - start), stack.toString());
    }
}
