/**
 * Network faults between the code under test and the servers prodlike gives a test, and assertions that prove the
 * service copes with them: {@link dev.prodlike.faults.NetworkFaults} (from {@code db.faults().network()} or
 * {@code redis.faults().network()}) and {@link dev.prodlike.faults.ResilienceAssertions}.
 *
 * <pre>{@code
 * try (Fault hung = db.faults().network().hang()) {
 *     assertThatCall(() -> orders.find(42)).failsWithin(Duration.ofSeconds(3));
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
package dev.prodlike.faults;
