package dev.prodlike.jwt.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A JDK HTTP server bound to 127.0.0.1 on a free port that serves JSON documents and counts requests per path. A
 * {@link Gate} may hold, delay or fail each request, and the server can stop listening and listen again on the same
 * port (the faults of {@link IssuerFaultsImpl}). Internal API.
 *
 * @since 0.1.0
 */
public final class LocalHttpServer implements AutoCloseable {

    /** Decides, per request and before the answer, whether it is answered normally. */
    public interface Gate {
        /**
         * May block (a hang, a latency) before the request is answered.
         *
         * @param path the requested path
         * @return 0 to answer normally, else the HTTP status to answer instead
         * @throws InterruptedException when the server closes while the request is held
         */
        int beforeAnswer(String path) throws InterruptedException;
    }

    private final ExecutorService executor;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Supplier<String>> documents;
    private final InetSocketAddress address;
    private volatile HttpServer server;
    private volatile Gate gate = path -> 0;
    private boolean listening = true;

    private LocalHttpServer(HttpServer server, ExecutorService executor, Map<String, Supplier<String>> documents) {
        this.server = server;
        this.executor = executor;
        this.documents = documents;
        this.address = server.getAddress();
    }

    /**
     * Starts a server.
     *
     * @param name      for thread names and messages
     * @param documents path → JSON supplier, evaluated on every request
     * @return the running server
     * @throws IOException when no port can be bound on 127.0.0.1
     */
    public static LocalHttpServer start(String name, Map<String, Supplier<String>> documents) throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        // cached, not fixed: a hang holds one thread per request, and the requests behind it must reach the gate too
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "prodlike-" + name);
            t.setDaemon(true);
            return t;
        });
        LocalHttpServer local = new LocalHttpServer(server, executor, documents);
        local.serve(server);
        return local;
    }

    private void serve(HttpServer s) {
        s.createContext("/", this::handle);
        s.setExecutor(executor);
        s.start();
    }

    /** @param gate consulted before every answer from now on */
    public void gate(Gate gate) {
        this.gate = gate;
    }

    /** Closes the listening socket and every open connection: connects are refused until {@link #listenAgain()}. */
    public synchronized void stopListening() {
        if (listening) {
            listening = false;
            server.stop(0);
        }
    }

    /**
     * Listens again on the same port.
     *
     * @throws IOException when the port was taken meanwhile
     */
    public synchronized void listenAgain() throws IOException {
        if (listening) {
            return;
        }
        HttpServer again = HttpServer.create(address, 0);
        serve(again);
        server = again;
        listening = true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            int forced;
            try {
                forced = gate.beforeAnswer(path);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the server is closing: the connection closes unanswered
            }
            Supplier<String> document = documents.get(path);
            boolean get = "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
            int status = forced != 0 ? forced : document == null ? 404 : get ? 200 : 405;
            byte[] body = (status == 200 ? document.get() : "{\"error\":\"" + status + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** @return {@code http://127.0.0.1:<port>} plus the path */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + address.getPort() + path);
    }

    /** @return how many requests the path received */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Stops the server at once and releases its threads. */
    @Override
    public synchronized void close() {
        stopListening();
        executor.shutdownNow();
    }
}
