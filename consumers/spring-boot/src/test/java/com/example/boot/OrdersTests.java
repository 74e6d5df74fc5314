package com.example.boot;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.context.SpringBootTest;

import static org.junit.jupiter.api.Assertions.assertEquals;

@SpringBootTest
@ProductionLikeDatabase
@TenantContext("acme")
class OrdersTests {

    @Autowired
    Orders orders;

    @Test
    void theApplicationsRepositoryWorksInTheTestsDatabase() {
        orders.add("acme", "book");
        assertEquals(1, orders.count());
        assertEquals("orders_app", orders.user());
    }

    @Test
    void everyTestHasAFreshDatabase() {
        assertEquals(0, orders.count());
        System.out.println("consumer versions: Spring Boot " + SpringBootVersion.getVersion() + ", Flyway "
                + version("org.flywaydb", "flyway-core") + ", JUnit " + Test.class.getPackage()
                .getImplementationVersion() + ", Java " + Runtime.version());
    }

    static String version(String group, String artifact) {
        var properties = new java.util.Properties();
        try (var in = OrdersTests.class.getClassLoader().getResourceAsStream(
                "META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            properties.load(in);
        } catch (Exception e) {
            return "unknown";
        }
        return properties.getProperty("version");
    }
}
