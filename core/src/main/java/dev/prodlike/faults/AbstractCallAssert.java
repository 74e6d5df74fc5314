package dev.prodlike.faults;

import dev.prodlike.internal.BoundedCall;
import java.time.Duration;
import java.util.Locale;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Assertions about how long a call of the code under test takes and how it ends, for timeouts under
 * {@link NetworkFaults#hang()} and {@link NetworkFaults#latency(Duration)}. Each check runs the call once, on a worker
 * thread, and itself stops after its bound: a call that would hang forever (PgJDBC without a socket timeout, Lettuce
 * with its 60 s default) fails the assertion after the bound, showing where the call was blocked.
 *
 * @param <SELF> the concrete assertion
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public abstract class AbstractCallAssert<SELF extends AbstractCallAssert<SELF>>
        extends AbstractAssert<SELF, ThrowingCallable> {

    private BoundedCall.Outcome last;

    /**
     * @param call     the call
     * @param selfType the concrete assertion's class
     */
    protected AbstractCallAssert(ThrowingCallable call, Class<?> selfType) {
        super(call, selfType);
    }

    /**
     * Verifies that the call returns or throws within {@code bound}: the service gives up on its own.
     *
     * @param bound at most this long (e.g. the service's timeout plus a margin)
     * @return this
     */
    public SELF answersOrFailsWithin(Duration bound) {
        run(bound, "answer or fail");
        return myself;
    }

    /**
     * Verifies that the call throws within {@code bound}.
     *
     * @param bound at most this long
     * @return assertions on what it threw
     */
    public AbstractThrowableAssert<?, ? extends Throwable> failsWithin(Duration bound) {
        BoundedCall.Outcome outcome = run(bound, "fail");
        if (outcome.failure() == null) {
            failWithMessage(
                    "Expecting the call to fail within %s but it answered normally after %s",
                    text(bound), text(outcome.elapsed()));
        }
        return Assertions.assertThat(outcome.failure());
    }

    /**
     * Verifies that the call returns normally within {@code bound} (e.g. a fallback answers while the dependency
     * hangs).
     *
     * @param bound at most this long
     * @return this
     */
    public SELF succeedsWithin(Duration bound) {
        BoundedCall.Outcome outcome = run(bound, "answer");
        if (outcome.failure() != null) {
            failWithMessage(
                    "Expecting the call to answer within %s but it failed after %s with:%n  %s",
                    text(bound), text(outcome.elapsed()), outcome.failure());
        }
        return myself;
    }

    /** @return how long the last check's call ran (the bound, when it had not finished) */
    public Duration elapsed() {
        if (last == null) {
            throw new IllegalStateException("No check has run the call yet: call answersOrFailsWithin, failsWithin or"
                    + " succeedsWithin first.");
        }
        return last.elapsed();
    }

    private BoundedCall.Outcome run(Duration bound, String verb) {
        isNotNull();
        if (bound == null || bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("The bound must be positive but was: " + bound);
        }
        last = BoundedCall.run(actual, bound);
        if (!last.finished()) {
            failWithMessage(
                    "Expecting the call to %s within %s but it was still running after %s, blocked at:%n%s"
                            + "A client without a timeout waits as long as the network does. Give it one: PgJDBC"
                            + " socketTimeout (and connectTimeout/loginTimeout), HikariCP connectionTimeout, Lettuce"
                            + " RedisURI timeout (default 60 s) and SocketOptions connectTimeout.",
                    verb, text(bound), text(last.elapsed()), last.stack());
        }
        return last;
    }

    static String text(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
