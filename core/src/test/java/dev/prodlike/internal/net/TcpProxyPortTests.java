package dev.prodlike.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.internal.Ports;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A test's proxy never takes a port just handed to a server that is starting (or held for one that restarts): the
 * server would find it taken, and the server's start could mistake the proxy for itself. The kernel picks a port at
 * random from its ephemeral range, so the proof is statistical: with a twentieth of that range handed out, 200
 * proxies that ignored the hand-outs would all miss them with a chance below one in 50,000.
 */
class TcpProxyPortTests {

    @Test
    void aProxyDeclinesEveryPortHandedToAServer() {
        Set<Integer> handedOut = new HashSet<>();
        List<TcpProxy> proxies = new ArrayList<>();
        try {
            while (handedOut.size() < 1_500) {
                handedOut.add(Ports.freeLoopbackPort());
            }
            InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
            for (int i = 0; i < 200; i++) {
                proxies.add(TcpProxy.open(nowhere, "TcpProxyPortTests " + i));
            }
            assertThat(proxies)
                    .extracting(TcpProxy::port)
                    .as("proxy ports among the %d handed out", handedOut.size())
                    .doesNotContainAnyElementsOf(handedOut);
        } finally {
            proxies.forEach(TcpProxy::close);
            handedOut.forEach(Ports::release);
        }
    }

    @Test
    void aHeldPortIsKeptUntilReleased() {
        int port = Ports.freeLoopbackPort();
        Ports.release(port);
        assertThat(Ports.keptForAServer(port)).isFalse();
        Ports.hold(port);
        try {
            assertThat(Ports.keptForAServer(port)).isTrue();
        } finally {
            Ports.release(port);
        }
        assertThat(Ports.keptForAServer(port)).isFalse();
    }
}
