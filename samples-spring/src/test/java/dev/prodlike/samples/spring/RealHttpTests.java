package dev.prodlike.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/**
 * Over a real HTTP port: requests are served on the server's threads, not the test's, so prodlike routes them to the
 * only test running. {@link Isolated} keeps other tests from running at the same time under parallel execution.
 */
@Isolated
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "orders.test-context=http")
@OrdersServiceTest
class RealHttpTests {

    @Autowired
    Environment environment;

    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void seed(TenantDatabase db) throws SQLException {
        Seed.twoTenants(db);
    }

    @Test
    void servesEachTenantItsOwnOrdersOverHttp(TestTokens tokens) throws Exception {
        HttpResponse<String> created = http.send(
                request(tokens, "acme")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"road@runner.test\"}"))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).contains("\"id\":3", "\"tenantId\":\"acme\"");

        HttpResponse<String> globex =
                http.send(request(tokens, "globex").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(globex.statusCode()).isEqualTo(200);
        assertThat(globex.body()).contains("\"id\":2").doesNotContain("acme");
    }

    @Test
    void sharesOneContextAcrossItsTests() {
        assertThat(ContextCounter.started("http")).isEqualTo(1);
    }

    private HttpRequest.Builder request(TestTokens tokens, String tenant) {
        URI uri = URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + "/api/orders");
        return HttpRequest.newBuilder(uri).header("Authorization", Api.bearer(tokens, tenant));
    }
}
