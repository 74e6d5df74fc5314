package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.TokenValidator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call of a validator on a thread of its own, so that a drill can stop waiting for it: a validator that hangs is
 * interrupted and abandoned, and the drill goes on to report it. Internal API.
 *
 * @since 0.1.0
 */
public final class BoundedCall {

    /**
     * What came of a call.
     *
     * @param answered  whether the validator returned or threw within the bound
     * @param rejection what it threw, or null when it accepted (or did not answer)
     * @param millis    how long the call took, or how long it was waited for
     */
    public record Answer(boolean answered, Throwable rejection, long millis) {
        /** @return whether the validator returned normally within the bound */
        public boolean accepted() {
            return answered && rejection == null;
        }

        /** @return whether the validator threw within the bound */
        public boolean rejected() {
            return answered && rejection != null;
        }
    }

    private final Thread thread;
    private final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();

    private BoundedCall(TokenValidator validator, String token) {
        thread = new Thread(
                () -> {
                    try {
                        validator.validate(token);
                        outcome.complete(null);
                    } catch (Exception | Error e) {
                        outcome.complete(e);
                    }
                },
                "prodlike-drill-validator");
        thread.setDaemon(true); // an abandoned call must not keep the JVM alive
        thread.start();
    }

    /**
     * Starts the validator on the token.
     *
     * @param validator the validator
     * @param token     the token
     * @return the call in flight
     */
    public static BoundedCall start(TokenValidator validator, String token) {
        return new BoundedCall(validator, token);
    }

    /**
     * Runs the validator on the token and waits at most {@code bound}.
     *
     * @param validator the validator
     * @param token     the token
     * @param bound     how long to wait
     * @return the answer, not answered when the bound passed (the call is then interrupted and abandoned)
     */
    public static Answer run(TokenValidator validator, String token, Duration bound) {
        return start(validator, token).await(bound);
    }

    /** @return whether the validator has answered */
    public boolean isDone() {
        return outcome.isDone();
    }

    /**
     * @param bound how long to wait from the call's start
     * @return the answer, not answered when the bound passed (the call is then interrupted and abandoned)
     */
    public Answer await(Duration bound) {
        long remaining = bound.toNanos() - (System.nanoTime() - startNanos);
        try {
            Throwable rejection = outcome.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
            return new Answer(true, rejection, elapsedMillis());
        } catch (TimeoutException e) {
            thread.interrupt();
            return new Answer(false, null, elapsedMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
            throw new IllegalStateException("Interrupted while waiting for the validator", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: the call completes its future normally", e);
        }
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
