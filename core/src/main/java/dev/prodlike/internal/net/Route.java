package dev.prodlike.internal.net;

import java.net.InetSocketAddress;

/**
 * What a {@link Link} asks of the proxy it belongs to: where to connect, the faults in force, and where to report.
 * The link type is a parameter, so this interface (and through it the link) does not depend on the proxy.
 *
 * @param <L> the link type
 */
interface Route<L> {

    /** @return the loop that relays the link's bytes */
    ProxyLoop loop();

    /** @return the server's address */
    InetSocketAddress target();

    /** @return whether nothing is relayed now */
    boolean hanging();

    /**
     * @param towardsServer the direction
     * @return the delay every chunk waits in that direction, in nanoseconds
     */
    long delay(boolean towardsServer);

    /**
     * @param towardsServer the direction
     * @return bytes per second allowed in that direction, 0 for no limit
     */
    long bandwidth(boolean towardsServer);

    /**
     * @param towardsServer the direction
     * @param bytes         bytes just delivered in it
     */
    void delivered(boolean towardsServer, int bytes);

    /** @param link a link whose server connection could not be made */
    void upstreamFailed(L link);

    /** @param link a link that has ended */
    void ended(L link);
}
