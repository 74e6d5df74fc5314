package dev.prodlike.samples;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders service: a JSON API on the JDK's HTTP server, bound to 127.0.0.1.
 *
 * <pre>
 * GET  /health         200 {"status":"UP"|"DEGRADED","database":"UP","redis":"UP"|"DOWN"}; 503 when the database is down
 * POST /sessions       opens a session for the bearer token: 201 {"session":"..."} and a session cookie
 * GET  /orders         the caller's tenant's orders (summaries)
 * POST /orders         {"customerEmail":"...","lines":[{"sku":"...","quantity":1,"unitPrice":9.90}]} → 201
 * GET  /orders/{id}    one order (cached in Redis); 404 when the tenant has no such order
 * PUT  /orders/{id}    {"status":"SHIPPED"} → 200; invalidates the cached order
 * </pre>
 *
 * <p>Every /orders and /sessions request needs {@code Authorization: Bearer <jwt>} or a {@code session} cookie; the
 * tenant always comes from the token (or the session the token opened), never from the request.
 *
 * @since 0.1.0
 */
public final class OrdersApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OrdersApplication.class);
    private static final Pattern ORDER_PATH = Pattern.compile("/orders/(\\d{1,18})");

    private final TenantTransactions database;
    private final RedisGateway redis;
    private final OrderService orders;
    private final SessionStore sessions;
    private final TokenVerifier verifier;
    private final ObjectMapper json;
    private final ExecutorService executor;
    private final HttpServer server;

    private OrdersApplication(OrdersConfig config) throws IOException {
        this.json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.database = new TenantTransactions(config.database(), config.dbPoolSize(), config.dbTimeout());
        this.redis = new RedisGateway(config.redisUri(), config.redisTimeout());
        this.orders = new OrderService(new OrderRepository(database), redis, json);
        this.sessions = new SessionStore(redis, config.clock());
        this.verifier = new TokenVerifier(
                config.jwksUri(),
                config.issuer(),
                config.audience(),
                config.algorithms(),
                config.tenantClaim(),
                config.keyRefreshCooldown(),
                config.clock());
        this.executor = Executors.newFixedThreadPool(8);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("orders service listening on {}", uri());
    }

    /**
     * Starts the service.
     *
     * @param config where everything is
     * @return the running service; close it to stop
     * @throws IOException when the port cannot be bound
     */
    public static OrdersApplication start(OrdersConfig config) throws IOException {
        return new OrdersApplication(config);
    }

    /**
     * Runs the service from environment variables: {@code ORDERS_DB_URL}, {@code ORDERS_DB_USER},
     * {@code ORDERS_DB_PASSWORD}, {@code ORDERS_REDIS_URI}, {@code ORDERS_JWKS_URI}, {@code ORDERS_ISSUER},
     * {@code ORDERS_AUDIENCE}, optional {@code ORDERS_PORT} (default 8080).
     *
     * @param args unused
     * @throws IOException when the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(env("ORDERS_DB_URL"));
        pg.setUser(env("ORDERS_DB_USER"));
        pg.setPassword(env("ORDERS_DB_PASSWORD"));
        OrdersApplication app = start(OrdersConfig.builder()
                .database(pg)
                .redisUri(env("ORDERS_REDIS_URI"))
                .jwksUri(URI.create(env("ORDERS_JWKS_URI")))
                .issuer(env("ORDERS_ISSUER"))
                .audience(env("ORDERS_AUDIENCE"))
                .port(Integer.parseInt(System.getenv().getOrDefault("ORDERS_PORT", "8080")))
                .build());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "orders-shutdown"));
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Set the environment variable " + name);
        }
        return value;
    }

    /** @return the base URI, e.g. {@code http://127.0.0.1:41234} */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** @return the service's database pool (tests look at what its connections carry) */
    public TenantTransactions database() {
        return database;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.close();
        database.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            try {
                if (path.equals("/health")) {
                    requireMethod(method, "GET");
                    health(exchange);
                    return;
                }
                Caller caller = authenticate(exchange);
                Matcher one = ORDER_PATH.matcher(path);
                if (path.equals("/sessions")) {
                    requireMethod(method, "POST");
                    String id = sessions.open(caller);
                    exchange.getResponseHeaders()
                            .add("Set-Cookie", "session=" + id + "; Path=/; HttpOnly; Secure; SameSite=Strict");
                    send(exchange, 201, Map.of("session", id));
                } else if (path.equals("/orders") && method.equals("GET")) {
                    send(exchange, 200, orders.list(caller.tenant()));
                } else if (path.equals("/orders") && method.equals("POST")) {
                    Order created = orders.create(caller.tenant(), readNewOrder(exchange.getRequestBody()));
                    exchange.getResponseHeaders().add("Location", "/orders/" + created.id());
                    send(exchange, 201, created);
                } else if (one.matches() && method.equals("GET")) {
                    sendOrder(exchange, orders.find(caller.tenant(), Long.parseLong(one.group(1))));
                } else if (one.matches() && method.equals("PUT")) {
                    String status = readStatus(exchange.getRequestBody());
                    sendOrder(exchange, orders.updateStatus(caller.tenant(), Long.parseLong(one.group(1)), status));
                } else if (path.equals("/orders") || one.matches()) {
                    throw new HttpError(405, "method " + method + " not allowed on " + path);
                } else {
                    throw new HttpError(404, "no such resource: " + path);
                }
            } catch (HttpError e) {
                if (e.status == 401) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                }
                send(exchange, e.status, Map.of("error", e.getMessage()));
            } catch (SQLException e) {
                boolean down = TenantTransactions.isConnectionFailure(e);
                LOG.warn("{} {} failed: {} {}", method, path, e.getSQLState(), e.getMessage());
                send(exchange, down ? 503 : 500, Map.of("error", down ? "database unavailable" : "database error"));
            } catch (IllegalStateException e) {
                send(exchange, 503, Map.of("error", e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", method, path, e);
                send(exchange, 500, Map.of("error", "internal error"));
            }
        }
    }

    private Caller authenticate(HttpExchange exchange) throws HttpError {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            try {
                return verifier.verify(authorization.substring(7).trim());
            } catch (TokenVerifier.InvalidTokenException e) {
                throw new HttpError(401, "invalid token: " + e.getMessage());
            }
        }
        Optional<String> session = sessionCookie(exchange);
        if (session.isPresent()) {
            return sessions.use(session.get()).orElseThrow(() -> new HttpError(401, "unknown or expired session"));
        }
        throw new HttpError(401, "a bearer token or a session is required");
    }

    private static Optional<String> sessionCookie(HttpExchange exchange) {
        List<String> cookies = exchange.getRequestHeaders().getOrDefault("Cookie", List.of());
        return cookies.stream()
                .flatMap(header -> Arrays.stream(header.split(";")))
                .map(String::trim)
                .filter(c -> c.startsWith("session="))
                .map(c -> c.substring("session=".length()))
                .findFirst();
    }

    private void health(HttpExchange exchange) throws IOException {
        boolean db = database.isReachable();
        boolean cache = redis.isReachable();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", !db ? "DOWN" : cache ? "UP" : "DEGRADED");
        body.put("database", db ? "UP" : "DOWN");
        body.put("redis", cache ? "UP" : "DOWN");
        send(exchange, db ? 200 : 503, body);
    }

    private Order.New readNewOrder(InputStream body) throws IOException, HttpError {
        Order.New order;
        try {
            order = json.readValue(body, Order.New.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HttpError(400, "malformed order: " + e.getOriginalMessage());
        }
        if (order.customerEmail() == null || !order.customerEmail().contains("@")) {
            throw new HttpError(400, "customerEmail is required");
        }
        if (order.lines() == null || order.lines().isEmpty()) {
            throw new HttpError(400, "an order needs at least one line");
        }
        for (Order.Line line : order.lines()) {
            if (line.sku() == null
                    || line.quantity() < 1
                    || line.unitPrice() == null
                    || line.unitPrice().signum() < 0) {
                throw new HttpError(400, "each line needs a sku, a quantity of at least 1 and a unitPrice");
            }
        }
        return order;
    }

    private String readStatus(InputStream body) throws HttpError {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw new HttpError(400, "malformed body");
        }
        String status = node == null ? null : node.path("status").asText(null);
        if (!Order.STATUSES.contains(status)) {
            throw new HttpError(400, "status must be one of " + Order.STATUSES);
        }
        return status;
    }

    private void sendOrder(HttpExchange exchange, Optional<Order> order) throws IOException {
        if (order.isPresent()) {
            send(exchange, 200, order.get());
        } else {
            send(exchange, 404, Map.of("error", "no such order"));
        }
    }

    private void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void requireMethod(String method, String allowed) throws HttpError {
        if (!allowed.equals(method)) {
            throw new HttpError(405, "method " + method + " not allowed");
        }
    }

    private static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
