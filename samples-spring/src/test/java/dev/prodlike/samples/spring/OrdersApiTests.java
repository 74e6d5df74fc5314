package dev.prodlike.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/** The API end to end, through the real security filter chain, JDBC and RLS, on a fresh database per test. */
@OrdersServiceTest
class OrdersApiTests {

    @Autowired
    WebApplicationContext context;

    @Autowired
    JdbcClient jdbc;

    MockMvc mvc;

    @BeforeEach
    void setUp(TenantDatabase db) throws SQLException {
        mvc = Api.mockMvc(context);
        Seed.twoTenants(db);
    }

    @Test
    void sharesTheOneApplicationContext() {
        assertThat(ContextCounter.started("mock")).isEqualTo(1);
    }

    @Test
    void createsAnOrderInAFreshDatabase(TestTokens tokens) throws Exception {
        String acme = Api.bearer(tokens, "acme");
        // ids 1 and 2 are the seed: every test starts from the migrated template, whatever ran before
        mvc.perform(Api.create(acme, "road@runner.test"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.id").value(3))
                .andExpect(jsonPath("$.tenantId").value("acme"));
        mvc.perform(Api.list(acme)).andExpect(status().isOk()).andExpect(jsonPath("$[*].id", contains(1, 3)));
    }

    @Test
    void refusesARequestWithoutToken() throws Exception {
        mvc.perform(get("/api/orders")).andExpect(status().isUnauthorized());
    }

    @Test
    @TenantContext("acme")
    void theApplicationConnectsAsItsProductionRoleToThisTestsDatabase(TenantDatabase db) {
        assertThat(jdbc.sql("SELECT current_user").query(String.class).single()).isEqualTo("orders_app");
        assertThat(jdbc.sql("SELECT current_database()").query(String.class).single())
                .isEqualTo(db.databaseName());
        assertThat(jdbc.sql("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
                        .query(Boolean.class)
                        .single())
                .isFalse();
    }
}
