package dev.prodlike.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import liquibase.integration.spring.SpringLiquibase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Spring Boot application that migrates with Liquibase: prodlike applies its changelog once into the template, the
 * application's own Liquibase does not run in tests, and the application's repositories work as the app role.
 */
class LiquibaseApplicationTests {

    static final String PROFILE = "postgres.version=16.4\n"
            + "postgres.changelog=classpath:db/changelog/db.changelog-master.yaml\n"
            + "postgres.app-role=orders_app\npostgres.tenant-setting=app.current_tenant\nprovider="
            + System.getProperty("prodlike.provider", "embedded") + "\n";

    /** Migrates with Liquibase at start, from Boot's default changelog, as a Liquibase service does. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class LiquibaseApplication {}

    @SpringBootTest(classes = LiquibaseApplication.class, properties = "spring.liquibase.enabled=true")
    @ProductionLikeDatabase
    @TenantContext("acme")
    static class LiquibaseApplicationTestCase {
        @Autowired
        JdbcTemplate jdbc;

        @Autowired
        ApplicationContext context;

        @Test
        void theApplicationWorksOnTheChangelogAsTheAppRole(TenantDatabase db) throws Exception {
            assertThat(context.getBeansOfType(SpringLiquibase.class))
                    .as("the application's own Liquibase")
                    .isEmpty();
            try (Connection globex = db.asTenant("globex").getConnection();
                    Statement s = globex.createStatement()) {
                s.execute("INSERT INTO orders (item) VALUES ('globex order')");
            }
            assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo("orders_app");
            jdbc.update("INSERT INTO orders (item) VALUES ('acme order')");
            assertThat(jdbc.queryForList("SELECT item FROM orders", String.class))
                    .containsExactly("acme order");
        }

        @Test
        void liquibaseTablesAreWhatTheApplicationsOwnLiquibaseWrites(TenantDatabase db) throws Exception {
            String history = "SELECT id, author, filename, md5sum, description, exectype, contexts, labels,"
                    + " liquibase FROM databasechangelog ORDER BY orderexecuted";
            JdbcTemplate owner = new JdbcTemplate(db.ownerDataSource());
            List<Map<String, Object>> byProdlike = owner.queryForList(history);
            assertThat(byProdlike).hasSize(2);
            owner.execute("DROP TABLE orders, databasechangelog, databasechangeloglock");
            // The application's Liquibase bean, as Boot's auto-configuration builds it, run on the emptied database.
            SpringLiquibase liquibase = new SpringLiquibase();
            liquibase.setDataSource(db.ownerDataSource());
            liquibase.setChangeLog("classpath:db/changelog/db.changelog-master.yaml");
            liquibase.setChangeLogParameters(Map.of("app_role", "orders_app"));
            liquibase.setResourceLoader(context);
            liquibase.afterPropertiesSet();
            assertThat(owner.queryForList(history)).isEqualTo(byProdlike);
        }
    }

    @Test
    void aLiquibaseApplication() throws Exception {
        TestKitEvents.assertAllSucceeded(
                ProfileOverride.with(PROFILE, () -> SpringIntegrationTests.run(LiquibaseApplicationTestCase.class)), 2);
    }
}
