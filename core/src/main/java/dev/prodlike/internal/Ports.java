package dev.prodlike.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for the servers prodlike starts: they bind 127.0.0.1 only. */
public final class Ports {

    private Ports() {
    }

    /** @return a port that was free on 127.0.0.1 a moment ago */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1: " + e.getMessage(), e);
        }
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
}
