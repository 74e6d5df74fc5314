package dev.prodlike.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loopback ports for the servers prodlike starts: they bind 127.0.0.1 only. */
public final class Ports {

    /** How long a port handed out for a server stays off-limits to this JVM's own listeners, at most. */
    private static final long HANDED_OUT_NANOS = Duration.ofMinutes(2).toNanos();

    /** Port → until when (System.nanoTime) it is kept for a server; Long.MAX_VALUE: until released. */
    private static final Map<Integer, Long> KEPT = new ConcurrentHashMap<>();

    private Ports() {}

    /**
     * A port for a server prodlike is about to start. Between this answer and the server's bind the port is free,
     * and a listener opened meanwhile on port 0 may be given it; this JVM's own (the tests' network proxies, see
     * {@link #keptForAServer(int)}) stay off it for two minutes, so a server never finds its port taken by a
     * neighbouring test's proxy, and a probe of the port never reaches a stranger.
     *
     * @return a port that was free on 127.0.0.1 a moment ago
     */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = socket.getLocalPort();
            keep(port, System.nanoTime() + HANDED_OUT_NANOS);
            return port;
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a non-blocking listener on a port of 127.0.0.1 the kernel picks, for this JVM's own use (a test's network
     * proxy). A port just handed to a starting server, or held for one that restarts, is declined and kept bound
     * until the kernel gives another: the server would find it taken, and a probe of the server would reach the
     * listener instead.
     *
     * @param backlog the accept queue length
     * @return the bound listener
     * @throws IOException when no listener can be opened
     */
    public static ServerSocketChannel openLoopbackListener(int backlog) throws IOException {
        List<ServerSocketChannel> declined = new ArrayList<>();
        ServerSocketChannel listener = null;
        try {
            for (int i = 0; ; i++) {
                listener = ServerSocketChannel.open();
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
                if (i == 8 || !keptForAServer(listener.socket().getLocalPort())) {
                    break;
                }
                declined.add(listener);
                listener = null;
            }
            listener.configureBlocking(false);
            return listener;
        } catch (IOException e) {
            if (listener != null) {
                declined.add(listener);
            }
            throw e;
        } finally {
            for (ServerSocketChannel c : declined) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // never used
                }
            }
        }
    }

    /**
     * Keeps a port a server is about to bind besides its main one (a Redis cluster node's bus port) off-limits to
     * this JVM's own listeners for two minutes, as {@link #freeLoopbackPort()} does.
     *
     * @param port the port
     */
    public static void reserve(int port) {
        keep(port, System.nanoTime() + HANDED_OUT_NANOS);
    }

    /**
     * Keeps a server's port off-limits to this JVM's own listeners while the server is down and will come back on
     * it (an outage fault, a restart), until {@link #release(int)}.
     *
     * @param port the server's port
     */
    public static void hold(int port) {
        keep(port, Long.MAX_VALUE);
    }

    /** @param port a port {@link #hold(int) held} for a server that is back up (or gone) */
    public static void release(int port) {
        KEPT.remove(port);
    }

    /**
     * @param port a port a listener of this JVM was just given
     * @return whether a server prodlike started or restarts needs it: the listener should take another
     */
    public static boolean keptForAServer(int port) {
        Long until = KEPT.get(port);
        if (until == null) {
            return false;
        }
        if (until != Long.MAX_VALUE && System.nanoTime() - until > 0) {
            KEPT.remove(port, until);
            return false;
        }
        return true;
    }

    private static void keep(int port, long until) {
        if (KEPT.size() > 256) {
            long now = System.nanoTime();
            KEPT.entrySet().removeIf(e -> e.getValue() != Long.MAX_VALUE && now - e.getValue() > 0);
        }
        KEPT.put(port, until);
    }

    /**
     * @param port a port
     * @return true when something already listens on 127.0.0.1:port (or it cannot be bound)
     */
    public static boolean inUse(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * @param port    the port
     * @param what    such as {@code PostgreSQL}
     * @param key     the profile key that fixed it, e.g. {@code postgres.port}
     * @return the message for a fixed port that is taken
     */
    public static String inUseMessage(int port, String what, String key) {
        return "Cannot start " + what + " on 127.0.0.1:" + port + ": the port is in use by another process.\n"
                + "Tried: binding 127.0.0.1:" + port + " because the profile fixes " + key + "=" + port + ".\n"
                + "Fix: stop whatever listens there (e.g. `ss -ltnp 'sport = :" + port + "'` shows it), or remove "
                + key + " so prodlike picks a free port.";
    }

    /**
     * @return the lowest port an unprivileged user may bind ({@code net.ipv4.ip_unprivileged_port_start} on Linux,
     *     1024 elsewhere or when unreadable)
     */
    public static int unprivilegedPortStart() {
        // Read line-wise: procfs reports size 0, and a read sized by that returns a truncated value.
        try (var reader = Files.newBufferedReader(Paths.get("/proc/sys/net/ipv4/ip_unprivileged_port_start"))) {
            return Integer.parseInt(reader.readLine().trim());
        } catch (IOException | RuntimeException e) {
            return 1024;
        }
    }

    /**
     * Checks a port fixed by the profile before anything is copied or started.
     *
     * @param port         the port
     * @param unprivileged true when the server runs as an unprivileged OS user (or this JVM is not root)
     * @param osUser       the user the server runs as, for the message
     * @param what         such as {@code PostgreSQL 16.4}
     * @param key          the profile key that fixed it, e.g. {@code postgres.port}
     * @return null when the server can bind it, else the message saying why not and what to do
     */
    public static String fixedPortProblem(int port, boolean unprivileged, String osUser, String what, String key) {
        if (unprivileged && port < unprivilegedPortStart()) {
            return "Cannot start " + what + " on 127.0.0.1:" + port + ": ports below " + unprivilegedPortStart()
                    + " are privileged and the server runs as the unprivileged user " + osUser
                    + ", who may not bind them (the port itself is "
                    + (inUseByListener(port) ? "in use as well" : "free") + ").\nTried: binding 127.0.0.1:" + port
                    + " because the profile fixes " + key + "="
                    + port + ".\nFix: fix a port of " + unprivilegedPortStart() + " or above (" + key
                    + "=15432), or remove " + key + " so prodlike picks a free port.";
        }
        return inUse(port) ? inUseMessage(port, what, key) : null;
    }

    private static boolean inUseByListener(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
