package dev.prodlike.samples;

import static dev.prodlike.samples.RunningService.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API end to end, with real tokens: the tenant comes from the token, and PostgreSQL's row-level security (as
 * {@code orders_app}, tenant set per transaction) keeps each tenant to its own orders.
 */
@OrdersEnvironment
class OrdersApiTests {

    private RunningService service;
    private String acme;
    private String globex;

    @BeforeEach
    void start(TenantDatabase db, RedisEnvironment redis, TestTokens tokens) throws Exception {
        Tenants.seed(db);
        service = RunningService.start(db, redis, tokens);
        // Tokens as the identity provider issues them: iss, aud, tenant_id, exp, signed with the current key.
        acme = tokens.forTenant("acme").subject("wile").sign();
        globex = tokens.forTenant("globex").subject("hank").sign();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void eachTenantListsOnlyItsOwnOrders() {
        service.createOrder(acme, "wile@acme.test");
        service.createOrder(acme, "road@acme.test");
        service.createOrder(globex, "hank@globex.test");

        JsonNode acmeOrders = json(service.get("/orders", acme));
        JsonNode globexOrders = json(service.get("/orders", globex));

        assertThat(acmeOrders.findValuesAsText("customerEmail"))
                .containsExactlyInAnyOrder("wile@acme.test", "road@acme.test");
        assertThat(globexOrders.findValuesAsText("customerEmail")).containsExactly("hank@globex.test");
    }

    @Test
    void anotherTenantsOrderIsNotFoundAndCannotBeChanged() {
        long acmeOrder = service.createOrder(acme, "wile@acme.test");

        assertThat(service.get("/orders/" + acmeOrder, globex).statusCode()).isEqualTo(404);
        assertThat(service.put("/orders/" + acmeOrder, globex, "{\"status\": \"CANCELLED\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(json(service.get("/orders/" + acmeOrder, acme)).get("status").asText())
                .isEqualTo("NEW");
    }

    @Test
    void anOrderIsCreatedReadAndUpdatedByItsTenant() {
        long id = service.createOrder(acme, "wile@acme.test");

        HttpResponse<String> shipped = service.put("/orders/" + id, acme, "{\"status\": \"SHIPPED\"}");

        assertThat(shipped.statusCode()).isEqualTo(200);
        JsonNode order = json(service.get("/orders/" + id, acme));
        assertThat(order.get("status").asText()).isEqualTo("SHIPPED");
        assertThat(order.get("total").decimalValue()).isEqualByComparingTo("19.80");
    }

    @Test
    void requestsWithoutAValidTokenAreRejected(TestTokens tokens) {
        String expired =
                tokens.forTenant("acme").expiresIn(Duration.ofMinutes(-5)).sign();
        String otherService =
                tokens.forTenant("acme").claim("aud", "billing-api").sign();

        assertThat(service.getAnonymously("/orders").statusCode()).isEqualTo(401);
        assertThat(service.get("/orders", expired).statusCode()).isEqualTo(401);
        assertThat(service.get("/orders", otherService).statusCode()).isEqualTo(401);
        assertThat(service.get("/orders", acme + "x").statusCode()).isEqualTo(401);
    }

    @Test
    void healthReportsDatabaseAndRedis() {
        HttpResponse<String> health = service.getAnonymously("/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).toString()).isEqualTo("{\"status\":\"UP\",\"database\":\"UP\",\"redis\":\"UP\"}");
    }
}
