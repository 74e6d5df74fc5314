package com.example.plain;

import dev.prodlike.jwt.JwtIssuer;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@ProductionLikeDatabase
@JwtIssuer
class OrdersTests {

    @Test
    @TenantContext("acme")
    void ordersOfOneTenant(DataSource app) throws Exception {
        try (Connection c = app.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO orders (tenant_id, item) VALUES ('acme', 'book')");
            try (ResultSet rs = s.executeQuery("SELECT current_user, count(*) FROM orders GROUP BY 1")) {
                rs.next();
                assertEquals("orders_app", rs.getString(1));
                assertEquals(1, rs.getInt(2));
            }
        }
    }

    @Test
    void tokensNextToTheServicesFlyway(TestTokens tokens) {
        assertFalse(tokens.forTenant("acme").sign().isBlank());
        System.out.println("consumer versions: Flyway " + version("org.flywaydb", "flyway-core") + ", JUnit "
                + Test.class.getPackage().getImplementationVersion() + ", Java " + Runtime.version());
    }

    static String version(String group, String artifact) {
        var properties = new java.util.Properties();
        try (var in = Flyway.class.getClassLoader().getResourceAsStream(
                "META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            properties.load(in);
        } catch (Exception e) {
            return "unknown";
        }
        return properties.getProperty("version");
    }
}
