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
 * A JDK HTTP server bound to 127.0.0.1 on a free port that serves JSON documents and counts requests per path.
 * Internal API.
 *
 * @since 0.1.0
 */
public final class LocalHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    private LocalHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
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
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "prodlike-" + name);
            t.setDaemon(true);
            return t;
        });
        LocalHttpServer local = new LocalHttpServer(server, executor);
        server.createContext("/", exchange -> local.handle(exchange, documents));
        server.setExecutor(executor);
        server.start();
        return local;
    }

    private void handle(HttpExchange exchange, Map<String, Supplier<String>> documents) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Supplier<String> document = documents.get(path);
            boolean get = "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
            int status = document == null ? 404 : get ? 200 : 405;
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
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** @return how many requests the path received */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Stops the server at once and releases its threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
