package dev.prodlike.faults;

import org.apiguardian.api.API;

/**
 * What went through one test's proxy since the test started.
 *
 * @param connectionAttempts connections clients opened to the proxy, including those a fault failed (a connect
 *                           held back by {@link NetworkFaults#hang()} counts once it is accepted, after the hang)
 * @param failedConnections  of these, the ones that never reached the server: reset by {@code refuse()} or
 *                           {@code failNextConnections(n)}, or the server did not accept them
 * @param liveConnections    connections open through the proxy right now
 * @param bytesToServer      bytes delivered to the server
 * @param bytesToClient      bytes delivered to clients
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public record NetworkStats(
        long connectionAttempts, long failedConnections, int liveConnections, long bytesToServer, long bytesToClient) {

    /**
     * @param earlier stats taken before
     * @return what happened between {@code earlier} and these (live connections are the current number)
     */
    public NetworkStats since(NetworkStats earlier) {
        return new NetworkStats(
                connectionAttempts - earlier.connectionAttempts,
                failedConnections - earlier.failedConnections,
                liveConnections,
                bytesToServer - earlier.bytesToServer,
                bytesToClient - earlier.bytesToClient);
    }
}
