package dev.prodlike.internal.net;

import dev.prodlike.faults.Direction;
import dev.prodlike.faults.Fault;
import dev.prodlike.faults.NetworkFaults;
import dev.prodlike.faults.NetworkStats;
import dev.prodlike.internal.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One test's proxy in front of one server: listens on 127.0.0.1, relays every connection to the server, and applies
 * the test's {@link NetworkFaults}. Relaying happens on the shared {@link ProxyLoop}; fault state is changed there
 * too, so a fault takes effect between two chunks of bytes, never inside one.
 */
public final class TcpProxy implements NetworkFaults, AutoCloseable, Route<Link> {

    /** Accept queue length; also how many filler connections {@link #hang()} needs to fill it. */
    private static final int BACKLOG = 50;

    final ProxyLoop loop;
    private final InetSocketAddress target;
    private final String name;
    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private SelectionKey acceptKey;
    private final Set<Link> links = new LinkedHashSet<>();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    /** What the connection opened ahead ({@link #setAside()}) counted; {@link #stats()} leave it out. */
    private volatile NetworkStats aside = new NetworkStats(0, 0, 0, 0, 0);

    private Link asideLink; // that connection until adopted or dropped; loop thread only

    // fault state, loop thread only; index 0: towards the server, 1: towards the client
    private final long[] delay = new long[2];
    private final long[] jitter = new long[2];
    private final long[] bandwidth = new long[2];
    private long cutBytes = -1;
    private Direction cutDirection;
    private boolean hanging;
    private boolean stallNew;
    private boolean refusing;
    private int failNext;
    private ActiveFaults.Active failNextFault;
    private final List<SocketChannel> stalled = new ArrayList<>();

    private final ActiveFaults faults;
    private final AcceptQueueFiller filler;
    private volatile boolean closed;

    private TcpProxy(ProxyLoop loop, InetSocketAddress target, String name, ServerSocketChannel listener) {
        this.loop = loop;
        this.target = target;
        this.name = name;
        this.listener = listener;
        this.address = new InetSocketAddress(
                InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        this.faults = new ActiveFaults(name, loop, listener::isOpen);
        this.filler = new AcceptQueueFiller(address, BACKLOG);
    }

    /**
     * Opens a proxy on a free port of 127.0.0.1. Returns at once; connections made before the loop has registered it
     * wait in the accept queue.
     *
     * @param target the server
     * @param name   for messages, e.g. {@code PostgreSQL database prodlike_3 of OrdersTests.saves}
     * @return the proxy
     */
    public static TcpProxy open(InetSocketAddress target, String name) {
        ProxyLoop loop = ProxyLoop.get();
        ServerSocketChannel listener;
        try {
            listener = Ports.openLoopbackListener(BACKLOG);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not open prodlike's network proxy for " + name + " on 127.0.0.1: "
                            + e.getMessage() + "\nFix: turn the proxy off with network.proxy=off in prodlike.properties"
                            + " (network faults are then unavailable).",
                    e);
        }
        TcpProxy proxy = new TcpProxy(loop, target, name, listener);
        loop.execute(proxy::register);
        return proxy;
    }

    private void register() {
        if (closed) {
            return;
        }
        try {
            acceptKey = listener.register(
                    loop.selector(), hanging && !stallNew ? 0 : SelectionKey.OP_ACCEPT, (ProxyLoop.Handler)
                            k -> accept());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while (!closed && (channel = listener.accept()) != null) {
            InetSocketAddress from = (InetSocketAddress) channel.getRemoteAddress();
            if (filler.claims(from)) {
                Link.abort(channel);
                continue;
            }
            attempts.incrementAndGet();
            if (hanging) {
                stalled.add(channel);
                continue;
            }
            if (refusing || failNext > 0) {
                failed.incrementAndGet();
                Link.abort(channel);
                if (failNext > 0 && --failNext == 0 && failNextFault != null) {
                    failNextFault.usedUp();
                    failNextFault = null;
                }
                continue;
            }
            startLink(channel);
        }
    }

    /**
     * Accepts what the hang left queued, so its filler connections are recognised now; a filler the kernel never
     * queued (its handshake's last step dropped while the queue was full) is forgotten, lest a later client that
     * gets its port be taken for it.
     */
    private void drainFillers() {
        try {
            accept();
        } catch (IOException e) {
            // the next select accepts them
        }
        filler.forgetPorts();
    }

    private void startLink(SocketChannel channel) {
        Link link;
        try {
            link = new Link(this, channel);
        } catch (IOException e) {
            failed.incrementAndGet();
            Link.abort(channel);
            return;
        }
        links.add(link);
        live.incrementAndGet();
        if (cutBytes >= 0) {
            cut(link);
        }
        try {
            link.start();
        } catch (IOException e) {
            upstreamFailed(link);
        }
    }

    private void cut(Link link) {
        if (cutDirection.toServer()) {
            link.up.cutAt = link.up.forwarded + cutBytes;
        }
        if (cutDirection.toClient()) {
            link.down.cutAt = link.down.forwarded + cutBytes;
        }
    }

    // --- called by links, on the loop thread ---

    @Override
    public ProxyLoop loop() {
        return loop;
    }

    @Override
    public InetSocketAddress target() {
        return target;
    }

    @Override
    public boolean hanging() {
        return hanging;
    }

    @Override
    public long delay(boolean towardsServer) {
        int i = towardsServer ? 0 : 1;
        long d = delay[i];
        if (jitter[i] > 0) {
            d += ThreadLocalRandom.current().nextLong(jitter[i] + 1);
        }
        return d;
    }

    @Override
    public long bandwidth(boolean towardsServer) {
        return bandwidth[towardsServer ? 0 : 1];
    }

    @Override
    public void delivered(boolean towardsServer, int bytes) {
        (towardsServer ? toServer : toClient).addAndGet(bytes);
    }

    @Override
    public void upstreamFailed(Link link) {
        failed.incrementAndGet();
        link.reset();
    }

    @Override
    public void ended(Link link) {
        if (links.remove(link)) {
            live.decrementAndGet();
        }
    }

    // --- NetworkFaults ---

    @Override
    public Fault latency(Duration latency, Duration jitter, Direction direction) {
        ActiveFaults.requireDuration("latency", latency, Duration.ofMillis(1));
        ActiveFaults.requireDuration("jitter", jitter, Duration.ZERO);
        ActiveFaults.require(direction);
        return start(
                ActiveFaults.Kind.LATENCY,
                "latency " + latency.toMillis() + " ms (jitter " + jitter.toMillis() + " ms) " + direction,
                () -> {
                    for (int i = 0; i < 2; i++) {
                        if (i == 0 ? direction.toServer() : direction.toClient()) {
                            this.delay[i] = latency.toNanos();
                            this.jitter[i] = jitter.toNanos();
                        }
                    }
                },
                () -> {
                    Arrays.fill(this.delay, 0);
                    Arrays.fill(this.jitter, 0);
                    releaseHeld();
                });
    }

    @Override
    public Fault hang() {
        Fault fault = start(
                ActiveFaults.Kind.HANG,
                "hang",
                () -> {
                    hanging = true;
                    stallNew = false;
                    if (acceptKey != null && acceptKey.isValid()) {
                        acceptKey.interestOps(0);
                    }
                    links.forEach(Link::update);
                },
                () -> {
                    filler.close();
                    hanging = false;
                    stallNew = false;
                    if (acceptKey != null && acceptKey.isValid()) {
                        acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                    }
                    drainFillers();
                    List<SocketChannel> waiting = new ArrayList<>(stalled);
                    stalled.clear();
                    waiting.forEach(this::startLink);
                    new ArrayList<>(links).forEach(Link::resume);
                });
        if (!filler.fill()) {
            // The kernel would not hold connects back (not Linux?): accept them and relay nothing instead.
            loop.call(() -> {
                stallNew = true;
                if (acceptKey != null && acceptKey.isValid() && hanging) {
                    acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
                return null;
            });
        }
        return fault;
    }

    @Override
    public Fault refuse() {
        return start(
                ActiveFaults.Kind.REFUSE,
                "refuse",
                () -> {
                    refusing = true;
                    new ArrayList<>(links).forEach(Link::reset);
                },
                () -> refusing = false);
    }

    @Override
    public int resetConnections() {
        faults.requireOpen();
        return loop.call(() -> {
            List<Link> all = new ArrayList<>(links);
            all.forEach(Link::reset);
            return all.size();
        });
    }

    @Override
    public Fault resetAfterBytes(long bytes, Direction direction) {
        if (bytes < 0) {
            throw new IllegalArgumentException("resetAfterBytes needs 0 or more bytes but was: " + bytes);
        }
        ActiveFaults.require(direction);
        return start(
                ActiveFaults.Kind.RESET_AFTER,
                "reset after " + bytes + " bytes " + direction,
                () -> {
                    cutBytes = bytes;
                    cutDirection = direction;
                    links.forEach(this::cut);
                },
                () -> {
                    cutBytes = -1;
                    for (Link link : links) {
                        link.up.cutAt = -1;
                        link.down.cutAt = -1;
                    }
                });
    }

    @Override
    public Fault bandwidth(long bytesPerSecond, Direction direction) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bandwidth needs at least 1 byte per second but was: " + bytesPerSecond);
        }
        ActiveFaults.require(direction);
        return start(
                ActiveFaults.Kind.BANDWIDTH,
                "bandwidth " + bytesPerSecond + " B/s " + direction,
                () -> {
                    bandwidth[0] = direction.toServer() ? bytesPerSecond : 0;
                    bandwidth[1] = direction.toClient() ? bytesPerSecond : 0;
                },
                () -> {
                    Arrays.fill(bandwidth, 0);
                    releaseHeld();
                });
    }

    @Override
    public Fault failNextConnections(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("failNextConnections needs a count of at least 1 but was: " + count);
        }
        return start(
                ActiveFaults.Kind.FAIL_NEXT,
                "fail the next " + count + " connections",
                fault -> {
                    failNext = count;
                    failNextFault = fault;
                },
                () -> {
                    failNext = 0;
                    failNextFault = null;
                });
    }

    /** Lets bytes held back by latency or bandwidth go now. */
    private void releaseHeld() {
        for (Link link : new ArrayList<>(links)) {
            link.up.release();
            link.down.release();
            link.resume();
        }
    }

    @Override
    public NetworkStats stats() {
        // on the loop thread, which counts a chunk right after writing it: one the client has read counts already
        return loop.call(() -> {
            int open = live.get() - (asideLink != null ? 1 : 0);
            return new NetworkStats(attempts.get(), failed.get(), open, toServer.get(), toClient.get()).since(aside);
        });
    }

    /** Leaves the one connection open, opened ahead of the test, out of {@link #stats()} (not taken yet). Not API. */
    public void setAside() {
        loop.call(() -> setAside(links.size() == 1));
    }

    /** @return whether a fault was ever started on this proxy (its test's network was not left as it was). Not API. */
    public boolean faultsStarted() {
        return faults.anyStarted();
    }

    /**
     * Sets aside the one connection left open, the application's session that its test leaves in the database for
     * the next test ({@code TestDatabase.park}), as {@link #setAside()} does for one opened ahead. Not API.
     *
     * @return false, leaving everything as it is, while another connection is still open through the proxy
     */
    public boolean setAsideOnlyConnection() {
        return loop.call(() -> links.size() == 1 && setAside(true));
    }

    /** Loop thread: what went through so far leaves the statistics; so does the one link when {@code alone}. */
    private boolean setAside(boolean alone) {
        asideLink = alone ? links.iterator().next() : null;
        aside = new NetworkStats(attempts.get(), failed.get(), 0, toServer.get(), toClient.get());
        return true;
    }

    /** The test took the connection set aside: from now on it counts as if the test had opened it. Not API. */
    public void adoptAside() {
        loop.call(() -> {
            asideLink = null;
            aside = new NetworkStats(0, 0, 0, 0, 0);
            return null;
        });
    }

    /** Closes the connection set aside (the test did not take it); {@link #stats()} never show it. Not API. */
    public void dropAside() {
        loop.call(() -> {
            if (asideLink != null) {
                asideLink.close(); // FIN: an idle backend leaves without a word in the server's log
            }
            asideLink = null;
            return null;
        });
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    /** @return the proxy's port on 127.0.0.1 */
    public int port() {
        return address.getPort();
    }

    private Fault start(ActiveFaults.Kind kind, String description, Runnable on, Runnable off) {
        return faults.start(kind, description, fault -> on.run(), off);
    }

    private Fault start(ActiveFaults.Kind kind, String description, Consumer<ActiveFaults.Active> on, Runnable off) {
        return faults.start(kind, description, on, off);
    }

    /** Ends every fault and closes every connection through the proxy: its test is over. */
    @Override
    public void close() {
        if (!faults.endAll()) {
            return;
        }
        closed = true;
        filler.close();
        loop.call(() -> {
            if (acceptKey != null) {
                acceptKey.cancel();
            }
            try {
                listener.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            stalled.forEach(Link::abort);
            stalled.clear();
            new ArrayList<>(links).forEach(Link::close);
            return null;
        });
    }

    @Override
    public String toString() {
        return "proxy 127.0.0.1:" + address.getPort() + " -> " + target.getHostString() + ":" + target.getPort()
                + " for " + name;
    }
}
