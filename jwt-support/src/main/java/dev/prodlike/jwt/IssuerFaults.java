package dev.prodlike.jwt;

import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Faults of the issuer's JWKS and discovery endpoints ({@link TestTokens#jwksUri()},
 * {@link TestTokens#discoveryUri()}), as a service meets them when its identity provider is slow, hung, failing or
 * down. Obtained with {@link TestTokens#faults()}; every fault is an {@link IssuerFault} ended by {@code close()} and
 * at the latest with its test.
 *
 * <pre>{@code
 * try (var down = tokens.faults().refuse()) {        // same as tokens.outage()
 *   assertThat(service.get("/orders", knownKeyToken)).hasStatus(200);
 * }
 * try (var slow = tokens.faults().latency(Duration.ofSeconds(3))) { ... }
 * try (var hung = tokens.faults().hang()) { ... }    // connections accepted, never answered while active
 * try (var failing = tokens.faults().errors(500)) { ... }
 * }</pre>
 *
 * <p>What a client sees: {@link #refuse()} closes the listening socket, so connects are refused at once (the same
 * port listens again when the fault ends); {@link #hang()} accepts connections and reads the request but answers
 * nothing until the fault ends (only the client's read timeout ends the wait); {@link #latency(Duration)} answers
 * normally after the delay; {@link #errors(int)} answers every request with that status and a JSON error body.
 * Faults compose: {@code refuse} wins over everything, then {@code hang}; latencies add up; of several
 * {@code errors} faults the newest status is answered (after the latency). Requests that a hang held are answered
 * normally when it ends.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public interface IssuerFaults {

    /**
     * Connections are refused: the issuer is down.
     *
     * @return the fault; close it to bring the endpoints back on the same port
     */
    IssuerFault refuse();

    /**
     * Connections are accepted and requests read, but nothing is answered while the fault is active.
     *
     * @return the fault; close it to answer the held requests
     */
    IssuerFault hang();

    /**
     * Every answer is delayed.
     *
     * @param delay how much later each request is answered; positive
     * @return the fault
     * @throws IllegalArgumentException when the delay is negative or zero
     */
    IssuerFault latency(Duration delay);

    /**
     * Every request is answered with an HTTP error.
     *
     * @param status the status, 400-599 (e.g. 500, 502, 503)
     * @return the fault
     * @throws IllegalArgumentException when the status is no error status
     */
    IssuerFault errors(int status);

    /** @return how many requests reached the JWKS endpoint so far (held and failed ones included) */
    int jwksRequests();

    /** @return how many requests reached the discovery endpoint so far (held and failed ones included) */
    int discoveryRequests();
}
