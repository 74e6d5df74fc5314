package dev.prodlike.samples.spring;

import static dev.prodlike.rls.RlsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/**
 * Tenants are isolated through the service's own code paths: a service that forgot to set the tenant would list
 * nothing (the policies fail closed) and these tests would fail; one that trusted a request parameter would leak.
 */
@OrdersServiceTest
class TenantIsolationTests {

    @Autowired
    WebApplicationContext context;

    @Autowired
    OrderRepository orders;

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
    void eachTenantListsOnlyItsOwnOrders(TestTokens tokens) throws Exception {
        mvc.perform(Api.list(Api.bearer(tokens, "acme")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[*].id", contains(1)))
                .andExpect(jsonPath("$[*].tenantId", contains("acme")));
        mvc.perform(Api.list(Api.bearer(tokens, "globex")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[*].id", contains(2)));
    }

    @Test
    void aTenantCannotReadOrChangeAnotherTenantsOrder(TestTokens tokens, TenantDatabase db) throws Exception {
        String acme = Api.bearer(tokens, "acme");
        mvc.perform(Api.order(acme, Seed.GLOBEX_ORDER)).andExpect(status().isNotFound());
        mvc.perform(Api.status(acme, Seed.GLOBEX_ORDER, "CANCELLED")).andExpect(status().isNotFound());
        try (Connection c = db.ownerDataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT status FROM orders WHERE id = 2")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("NEW");
        }
    }

    @Test
    @TenantContext("globex")
    void theApplicationsRepositorySeesOnlyTheTenantOfTheTest() {
        // no service, no tenant code: the connection the application gets carries @TenantContext's tenant
        assertThat(orders.findAll()).extracting(Order::id).containsExactly(Seed.GLOBEX_ORDER);
    }

    @Test
    void theApplicationsRepositorySeesNothingWithoutATenant() {
        assertThat(orders.findAll()).isEmpty();
    }

    @Test
    void everyTenantTableIsIsolated(TenantDatabase db) {
        assertThat(db).tablesWithColumn("tenant_id").areIsolated();
    }
}
