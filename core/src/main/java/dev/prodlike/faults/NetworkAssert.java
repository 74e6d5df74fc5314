package dev.prodlike.faults;

import org.apiguardian.api.API;

/**
 * Assertions about what the code under test does on the network; see {@link AbstractNetworkAssert}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class NetworkAssert extends AbstractNetworkAssert<NetworkAssert> {

    NetworkAssert(NetworkFaults network) {
        super(network, NetworkAssert.class);
    }
}
