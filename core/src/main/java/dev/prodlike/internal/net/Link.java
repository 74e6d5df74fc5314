package dev.prodlike.internal.net;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One client connection through a proxy and its connection to the server: two {@link Pipe}s, one each way. Lives on
 * the loop thread only.
 */
final class Link {

    /** A pipe stops reading when this much is held back (latency, bandwidth, a slow reader). */
    private static final int MAX_QUEUED = 1 << 20;

    private static final ByteBuffer BUFFER = ByteBuffer.allocateDirect(64 * 1024);

    private final Route<Link> proxy;
    final SocketChannel client;
    final SocketChannel server;
    private SelectionKey clientKey;
    private SelectionKey serverKey;
    private boolean connected;
    private boolean closed;
    final Pipe up;
    final Pipe down;

    Link(Route<Link> proxy, SocketChannel client) throws IOException {
        this.proxy = proxy;
        this.client = client;
        this.server = SocketChannel.open();
        this.up = new Pipe(client, server, true);
        this.down = new Pipe(server, client, false);
        client.configureBlocking(false);
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        server.configureBlocking(false);
        server.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    void start() throws IOException {
        ProxyLoop loop = proxy.loop();
        clientKey = client.register(loop.selector(), 0, (ProxyLoop.Handler) k -> clientReady(k));
        serverKey = server.register(loop.selector(), 0, (ProxyLoop.Handler) k -> serverReady(k));
        try {
            connected = server.connect(proxy.target());
        } catch (IOException e) {
            proxy.upstreamFailed(this);
            return;
        }
        update();
    }

    private void clientReady(SelectionKey k) {
        if (k.isReadable()) {
            up.read();
        }
        if (!closed && k.isValid() && k.isWritable()) {
            down.flush();
        }
        update();
    }

    private void serverReady(SelectionKey k) {
        if (k.isConnectable()) {
            try {
                connected = server.finishConnect();
            } catch (IOException e) {
                proxy.upstreamFailed(this);
                return;
            }
            if (connected) {
                up.flush();
            }
        }
        if (!closed && connected && k.isValid() && k.isReadable()) {
            down.read();
        }
        if (!closed && connected && k.isValid() && k.isWritable()) {
            up.flush();
        }
        update();
    }

    /** Sets what each socket waits for from the pipes' state. */
    void update() {
        if (closed) {
            return;
        }
        boolean hung = proxy.hanging();
        int c = 0;
        int s = connected ? 0 : SelectionKey.OP_CONNECT;
        if (!hung) {
            if (up.wantsRead()) {
                c |= SelectionKey.OP_READ;
            }
            if (down.wantsWrite()) {
                c |= SelectionKey.OP_WRITE;
            }
            if (connected && down.wantsRead()) {
                s |= SelectionKey.OP_READ;
            }
            if (connected && up.wantsWrite()) {
                s |= SelectionKey.OP_WRITE;
            }
        }
        if (clientKey.isValid()) {
            clientKey.interestOps(c);
        }
        if (serverKey.isValid()) {
            serverKey.interestOps(s);
        }
    }

    /** Resumes after a hang: flushes what was held back. */
    void resume() {
        if (connected) {
            up.flush();
        }
        down.flush();
        update();
    }

    /** Resets both connections (RST): the client's next read or write fails with "Connection reset". */
    void reset() {
        if (closed) {
            return;
        }
        abort(client);
        abort(server);
        end();
    }

    /** Closes both connections in order (FIN). */
    void close() {
        if (closed) {
            return;
        }
        quietly(client);
        quietly(server);
        end();
    }

    private void end() {
        closed = true;
        proxy.ended(this);
    }

    boolean isClosed() {
        return closed;
    }

    static void abort(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // closed already
        }
        quietly(channel);
    }

    private static void quietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** Bytes going one way, and what faults hold back. */
    final class Pipe {
        private final SocketChannel from;
        private final SocketChannel to;
        final boolean toServer;
        private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        private int queued;
        private boolean eof;
        private boolean shut;
        /** Bytes delivered so far. */
        long forwarded;
        /** Reset the link once {@link #forwarded} reaches this; -1: no cut. */
        long cutAt = -1;
        /** Bandwidth: the earliest time the next byte may go. */
        private long nextSend;

        private long lastDue;
        private boolean timerPending;
        private long timerDue;

        Pipe(SocketChannel from, SocketChannel to, boolean toServer) {
            this.from = from;
            this.to = to;
            this.toServer = toServer;
        }

        boolean wantsRead() {
            return !eof && queued < MAX_QUEUED;
        }

        boolean wantsWrite() {
            return !queue.isEmpty() && queue.peekFirst().due - System.nanoTime() <= 0 && !throttled();
        }

        private boolean throttled() {
            return proxy.bandwidth(toServer) > 0 && nextSend - System.nanoTime() > 0;
        }

        void read() {
            ByteBuffer buffer = BUFFER;
            buffer.clear();
            int n;
            try {
                n = from.read(buffer);
            } catch (IOException e) {
                // the peer reset: reset the other side as well, so the client sees what it would without a proxy
                reset();
                return;
            }
            if (n < 0) {
                eof = true;
                flush();
                return;
            }
            if (n == 0) {
                return;
            }
            buffer.flip();
            long delay = proxy.delay(toServer);
            if (queue.isEmpty()
                    && delay == 0
                    && proxy.bandwidth(toServer) == 0
                    && cutAt < 0
                    && (connected || !toServer)) {
                if (!write(buffer)) {
                    return;
                }
                if (!buffer.hasRemaining()) {
                    return;
                }
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            long due = Math.max(lastDue, System.nanoTime() + delay);
            lastDue = due;
            queue.addLast(new Chunk(ByteBuffer.wrap(bytes), due));
            queued += bytes.length;
            flush();
        }

        /** Writes what is due; schedules itself for what is not yet. */
        void flush() {
            if (closed || proxy.hanging() || (toServer && !connected)) {
                return;
            }
            while (!queue.isEmpty()) {
                Chunk head = queue.peekFirst();
                long now = System.nanoTime();
                if (head.due - now > 0) {
                    later(head.due);
                    return;
                }
                long bps = proxy.bandwidth(toServer);
                ByteBuffer data = head.data;
                int limit = data.limit();
                if (bps > 0) {
                    if (nextSend - now > 0) {
                        later(nextSend);
                        return;
                    }
                    // about 20 slices a second keeps the rate smooth without a wake-up per byte
                    int slice = (int) Math.max(1, Math.min(data.remaining(), bps / 20));
                    data.limit(data.position() + slice);
                }
                int before = data.remaining();
                boolean ok = write(data);
                int written = before - data.remaining();
                data.limit(limit);
                if (!ok) {
                    return;
                }
                queued -= written;
                if (bps > 0) {
                    nextSend = Math.max(nextSend, now) + written * 1_000_000_000L / bps;
                }
                if (data.hasRemaining()) {
                    if (bps == 0 && written < before) {
                        return; // the socket is full: OP_WRITE resumes
                    }
                    continue;
                }
                queue.pollFirst();
            }
            if (eof && !shut) {
                shut = true;
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // gone already
                }
                if (up.shut && down.shut) {
                    close();
                }
            }
        }

        /** @return false when the link was reset */
        private boolean write(ByteBuffer data) {
            int limit = data.limit();
            long cut = cutAt;
            if (cut >= 0 && forwarded + data.remaining() >= cut) {
                data.limit(data.position() + (int) Math.max(0, cut - forwarded));
            }
            try {
                int n = to.write(data);
                forwarded += n;
                proxy.delivered(toServer, n);
            } catch (IOException e) {
                reset();
                return false;
            } finally {
                data.limit(limit);
            }
            if (cut >= 0 && forwarded >= cut) {
                // a cut after N bytes: the receiver got exactly N, then a reset
                reset();
                return false;
            }
            return true;
        }

        private void later(long due) {
            if (timerPending && timerDue - due <= 0) {
                return;
            }
            timerPending = true;
            timerDue = due;
            proxy.loop().schedule(due, () -> {
                timerPending = false;
                flush();
                update();
            });
        }

        /** Forgets held-back timing after a fault ends: what is queued goes now. */
        void release() {
            for (Chunk c : queue) {
                c.due = 0;
            }
            lastDue = 0;
            nextSend = 0;
        }
    }

    private static final class Chunk {
        final ByteBuffer data;
        long due;

        Chunk(ByteBuffer data, long due) {
            this.data = data;
            this.due = due;
        }
    }
}
