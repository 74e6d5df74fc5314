package dev.prodlike.internal.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hang's connections of its own: they fill a listener's accept queue, which the proxy does not accept from during a
 * hang, so the kernel drops the SYN of every further connect and the client's connect() hangs as with a network black
 * hole.
 */
final class AcceptQueueFiller {

    private final InetSocketAddress listener;
    private final int backlog;
    private final List<SocketChannel> fillers = new ArrayList<>();
    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();

    /**
     * @param listener the address the queue belongs to
     * @param backlog  the listener's accept queue length
     */
    AcceptQueueFiller(InetSocketAddress listener, int backlog) {
        this.listener = listener;
        this.backlog = backlog;
    }

    /**
     * Connects until the kernel holds a connect back (the queue is full).
     *
     * @return false when the queue could not be filled (the kernel kept accepting: not Linux?)
     */
    boolean fill() {
        for (int i = 0; i < backlog + 16; i++) {
            try {
                SocketChannel filler = SocketChannel.open();
                filler.configureBlocking(false);
                filler.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports.add(((InetSocketAddress) filler.getLocalAddress()).getPort());
                synchronized (fillers) {
                    fillers.add(filler);
                }
                boolean done = filler.connect(listener);
                long deadline = System.nanoTime() + Duration.ofMillis(200).toNanos();
                while (!done && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                    done = filler.finishConnect();
                }
                if (!done) {
                    // never accepted: its port may be a real client's later
                    ports.remove(((InetSocketAddress) filler.getLocalAddress()).getPort());
                    return true;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * @param from a connection's client address, as accepted
     * @return whether it is one of ours (which the proxy then drops); each is recognised once
     */
    boolean claims(InetSocketAddress from) {
        return from != null && ports.remove(from.getPort());
    }

    /** Forgets the fillers' ports: called once the queue they were in has been drained. */
    void forgetPorts() {
        ports.clear();
    }

    /** Closes every filler connection: the queue drains, connects get through again. */
    void close() {
        synchronized (fillers) {
            fillers.forEach(Link::abort);
            fillers.clear();
        }
    }
}
