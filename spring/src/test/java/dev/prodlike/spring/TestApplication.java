package dev.prodlike.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/** A minimal Spring Boot application with a DataSource from spring.datasource.*; counts its contexts per scenario. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {

    /** Contexts started, by the {@code scenario} property of the test class. */
    public static final Map<String, AtomicInteger> CONTEXTS = new ConcurrentHashMap<>();

    @Bean
    ContextCounter contextCounter(Environment environment) {
        CONTEXTS.computeIfAbsent(environment.getProperty("scenario", "none"), k -> new AtomicInteger())
                .incrementAndGet();
        return new ContextCounter();
    }

    /** Marker bean. */
    public static final class ContextCounter {}

    static int contexts(String scenario) {
        AtomicInteger n = CONTEXTS.get(scenario);
        return n == null ? 0 : n.get();
    }
}
