package dev.prodlike.samples.spring;

import static dev.prodlike.faults.ResilienceAssertions.assertThatCall;
import static dev.prodlike.faults.ResilienceAssertions.assertThatHealthEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.faults.Fault;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/**
 * The application's own timeouts (application.properties: PgJDBC socketTimeout, Hikari connectionTimeout, the Redis
 * command and connect timeouts) and its Actuator health endpoint, under network faults between it and the test's
 * database and Redis. Over a real HTTP port, as the load balancer asks; {@link Isolated} as in {@link RealHttpTests},
 * whose application context it shares.
 */
@Isolated
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "orders.test-context=http")
@OrdersServiceTest
class ResilienceTests {

    /** The application's timeouts are 2 s (database) and 500 ms (Redis); a wide margin for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Autowired
    Environment environment;

    /** Without a timeout of its own: only the application's timeouts can end a request. */
    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void seed(TenantDatabase db) throws SQLException {
        Seed.twoTenants(db);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + path);
    }

    /** Fails when socketTimeout is removed from spring.datasource.url: the health check then hangs with the database. */
    @Test
    void healthAnswersDownWithinItsBoundWhileTheDatabaseHangs(TenantDatabase db) {
        assertThatHealthEndpoint(uri("/actuator/health"))
                .answersWithin(BOUND)
                .isUp()
                .hasComponentStatus("db", "UP"); // its connection is open before the fault
        try (Fault hung = db.faults().network().hang()) {
            assertThatHealthEndpoint(uri("/actuator/health"))
                    .answersWithin(BOUND)
                    .isDown()
                    .hasComponentStatus("db", "DOWN");
        }
        assertThatHealthEndpoint(uri("/actuator/health")).answersWithin(BOUND).isUp();
    }

    @Test
    void healthAnswersDownWithinItsBoundWhileRedisHangs(RedisEnvironment redis) {
        assertThatHealthEndpoint(uri("/actuator/health"))
                .answersWithin(BOUND)
                .isUp()
                .hasComponentStatus("redis", "UP");
        try (Fault hung = redis.faults().network().hang()) {
            assertThatHealthEndpoint(uri("/actuator/health"))
                    .answersWithin(BOUND)
                    .isDown()
                    .hasComponentStatus("redis", "DOWN")
                    .hasComponentStatus("db", "UP");
        }
    }

    @Test
    void aRequestFailsWithinTheDataSourceTimeoutWhileTheDatabaseHangs(TenantDatabase db, TestTokens tokens) {
        HttpRequest list = HttpRequest.newBuilder(uri("/api/orders"))
                .header("Authorization", Api.bearer(tokens, "acme"))
                .GET()
                .build();
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        assertThatCall(() -> answer.set(http.send(list, HttpResponse.BodyHandlers.ofString())))
                .succeedsWithin(BOUND);
        assertThat(answer.get().statusCode()).isEqualTo(200);
        try (Fault hung = db.faults().network().hang()) {
            assertThatCall(() -> answer.set(http.send(list, HttpResponse.BodyHandlers.ofString())))
                    .succeedsWithin(BOUND);
            assertThat(answer.get().statusCode()).isEqualTo(500);
        }
    }
}
