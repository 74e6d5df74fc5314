package dev.prodlike.faults;

import java.net.URI;
import org.apiguardian.api.API;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Entry point of the assertions that prove a service copes with network faults: bounded calls under
 * {@link NetworkFaults#hang()} or {@link NetworkFaults#latency(java.time.Duration)}, connection attempts of retries
 * and circuit breakers, and health endpoints.
 *
 * <pre>{@code
 * try (Fault hung = db.faults().network().hang()) {
 *     assertThatCall(() -> orders.find(42)).failsWithin(Duration.ofSeconds(3));   // the service has a timeout
 * }
 * try (Fault flapping = db.faults().network().failNextConnections(2)) {
 *     assertThatNetwork(db.faults().network()).whenRunning(() -> orders.place(order))
 *         .succeeded().madeConnectionAttempts(3);                                   // retried twice
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public class ResilienceAssertions {

    /** For subclasses that add entry points of their own. */
    protected ResilienceAssertions() {}

    /**
     * @param call a call of the code under test; it runs only when a check runs, on a worker thread that works for
     *             the current test
     * @return assertions about how long the call takes and how it ends
     */
    public static CallAssert assertThatCall(ThrowingCallable call) {
        return new CallAssert(call);
    }

    /**
     * @param network the faults (and statistics) of a test's proxy
     * @return assertions about what the code under test does on the network
     */
    public static NetworkAssert assertThatNetwork(NetworkFaults network) {
        return new NetworkAssert(network);
    }

    /**
     * @param endpoint a health endpoint answering JSON with a top-level {@code status}, e.g. Spring Boot Actuator's
     *                 {@code http://127.0.0.1:8080/actuator/health}
     * @return assertions about its answer
     */
    public static HealthEndpointAssert assertThatHealthEndpoint(URI endpoint) {
        return new HealthEndpointAssert(endpoint);
    }
}
