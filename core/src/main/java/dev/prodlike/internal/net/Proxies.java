package dev.prodlike.internal.net;

import dev.prodlike.ProductionProfile;
import java.net.InetSocketAddress;

/** Whether tests get a network proxy, and the message when they have none. */
public final class Proxies {

    private Proxies() {}

    /**
     * @param profile the effective profile
     * @return true unless {@code network.proxy=off}
     */
    public static boolean enabled(ProductionProfile profile) {
        return !profile.get(ProductionProfile.NETWORK_PROXY, "on").equals("off");
    }

    /**
     * @param profile the effective profile
     * @param host    the server's host
     * @param port    its port
     * @param name    for messages
     * @return a proxy in front of the server, or null when proxying is off
     */
    public static TcpProxy openIfEnabled(ProductionProfile profile, String host, int port, String name) {
        return enabled(profile) ? TcpProxy.open(new InetSocketAddress(host, port), name) : null;
    }

    /**
     * @param what e.g. {@code PostgreSQL database prodlike_3}
     * @return the exception for network faults asked for while proxying is off
     */
    public static UnsupportedOperationException off(String what) {
        return new UnsupportedOperationException("Cannot inject network faults into " + what + ": the profile turns"
                + " the network proxy off (" + ProductionProfile.NETWORK_PROXY + "=off), so connections go to the"
                + " server directly.\nFix: remove " + ProductionProfile.NETWORK_PROXY + "=off (from prodlike.properties"
                + " or -Dprodlike." + ProductionProfile.NETWORK_PROXY + ") for the tests that inject network faults.");
    }
}
