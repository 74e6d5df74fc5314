package dev.prodlike.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * The orders service started the way production starts it, wired to the test's own servers: the test's database (as
 * {@code orders_app}), its Redis keyspace and its token issuer's JWKS URL. Requests go over real HTTP.
 */
final class RunningService implements AutoCloseable {

    /** Any answer slower than this fails the test: a service hanging on a broken dependency is a failure. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(4);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrdersApplication app;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    private RunningService(OrdersApplication app) {
        this.app = app;
    }

    static RunningService start(TenantDatabase db, RedisEnvironment redis, TestTokens tokens) throws IOException {
        return new RunningService(OrdersApplication.start(OrdersConfig.builder()
                .database(db.appDataSource()) // the role production uses: RLS applies
                .redisUri(redis.uri().toString()) // redis://127.0.0.1:<port>/<this test's database>
                .jwksUri(tokens.jwksUri()) // the issuer's live JWKS endpoint
                .issuer(tokens.issuer())
                .audience(tokens.audience())
                .algorithms(Set.of(tokens.algorithm()))
                .tenantClaim(tokens.tenantClaim())
                .clock(tokens.clock())
                .build()));
    }

    HttpResponse<String> get(String path, String token) {
        return send(request(path).header("Authorization", "Bearer " + token).GET());
    }

    HttpResponse<String> getWithSession(String path, String session) {
        return send(request(path).header("Cookie", "session=" + session).GET());
    }

    HttpResponse<String> getAnonymously(String path) {
        return send(request(path).GET());
    }

    HttpResponse<String> post(String path, String token, String json) {
        return send(request(path)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> put(String path, String token, String json) {
        return send(request(path)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Creates an order through the API and returns its id. */
    long createOrder(String token, String customerEmail) {
        HttpResponse<String> created = post("/orders", token, """
                {"customerEmail": "%s", "lines": [{"sku": "anvil", "quantity": 2, "unitPrice": 9.90}]}
                """.formatted(customerEmail));
        if (created.statusCode() != 201) {
            throw new AssertionError("POST /orders answered " + created.statusCode() + ": " + created.body());
        }
        return json(created).get("id").asLong();
    }

    /** Opens a session with a bearer token and returns its id. */
    String openSession(String token) {
        HttpResponse<String> opened = post("/sessions", token, "");
        if (opened.statusCode() != 201) {
            throw new AssertionError("POST /sessions answered " + opened.statusCode() + ": " + opened.body());
        }
        return json(opened).get("session").asText();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /** @return the service's database pool as HikariCP counts it, for failure messages */
    String databasePool() {
        HikariPoolMXBean pool = ((HikariDataSource) app.database().pool()).getHikariPoolMXBean();
        return "HikariCP: " + pool.getTotalConnections() + " connections, " + pool.getIdleConnections() + " idle, "
                + pool.getActiveConnections() + " active, " + pool.getThreadsAwaitingConnection() + " threads waiting";
    }

    /** @return the address of {@code path} on the running service */
    URI uri(String path) {
        return URI.create(app.uri() + path);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(app.uri() + path)).timeout(REQUEST_TIMEOUT);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.close();
    }
}
