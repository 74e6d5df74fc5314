package dev.prodlike.faults;

import org.apiguardian.api.API;

/**
 * A network fault in effect until {@link #close()} (and at the latest until the test that injected it ends).
 *
 * <pre>{@code
 * try (Fault slow = db.faults().network().latency(Duration.ofMillis(300))) {
 *     // every reply of the test's database arrives at least 300 ms late
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public interface Fault extends AutoCloseable {

    /** Ends the fault; bytes held back flow again. Idempotent, never throws. */
    @Override
    void close();

    /**
     * @return false once the fault has ended: closed, ended with its test, or (for
     *     {@link NetworkFaults#failNextConnections(int)}) used up
     */
    boolean isActive();

    /** @return what the fault does, e.g. {@code latency 300 ms (jitter 0 ms) TO_CLIENT} */
    String description();
}
