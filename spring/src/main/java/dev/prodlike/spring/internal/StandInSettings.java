package dev.prodlike.spring.internal;

import java.util.List;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Settings of production endpoints a test context must be able to start without. A twelve-factor service has no
 * {@code spring.datasource.url} in its properties, or one such as {@code ${DATABASE_URL}} that only production's
 * environment resolves; Spring Boot still needs a URL to build the {@code DataSource} bean prodlike replaces (else
 * "Failed to determine a suitable driver class"), and an unresolvable placeholder fails the context. Where a setting
 * is absent or unresolvable, a stand-in value lets Boot build its beans; nothing ever connects to it, because every
 * connection goes to the current test's server. Settings that resolve (even to an unreachable production host) are
 * left as they are: prodlike's beans never use them either.
 */
final class StandInSettings {

    /** Never connected to: the routing DataSource opens every connection to the current test's database. */
    static final String DATASOURCE_URL = "jdbc:postgresql://127.0.0.1:1/prodlike-routes-to-the-current-test";

    private static final Map<String, String> DATASOURCE = Map.of(
            "spring.datasource.url", DATASOURCE_URL,
            "spring.datasource.username", "prodlike-routes-to-the-current-test",
            "spring.datasource.password", "");
    private static final List<String> DATASOURCE_REQUIRED = List.of("spring.datasource.url");
    private static final Map<String, String> REDIS = Map.of(
            "spring.data.redis.url", "redis://127.0.0.1:1",
            "spring.data.redis.host", "127.0.0.1",
            "spring.data.redis.port", "1",
            "spring.data.redis.username", "",
            "spring.data.redis.password", "");

    private StandInSettings() {}

    /**
     * @param environment the context's environment, with the application's properties loaded
     * @param postgres    whether the DataSource follows the test
     * @param redis       whether Redis follows the test
     * @param properties  prodlike's property source, which wins over the application's; stand-ins are added here
     */
    static void add(
            ConfigurableEnvironment environment, boolean postgres, boolean redis, Map<String, Object> properties) {
        if (postgres) {
            DATASOURCE.forEach((key, standIn) -> {
                if (unresolvable(environment, key) || (DATASOURCE_REQUIRED.contains(key) && blank(environment, key))) {
                    properties.putIfAbsent(key, standIn);
                }
            });
        }
        if (redis) {
            REDIS.forEach((key, standIn) -> {
                if (unresolvable(environment, key)) {
                    properties.putIfAbsent(key, standIn);
                }
            });
        }
    }

    private static boolean unresolvable(ConfigurableEnvironment environment, String key) {
        try {
            environment.getProperty(key);
            return false;
        } catch (IllegalArgumentException e) { // a ${placeholder} only production's environment defines
            return true;
        }
    }

    private static boolean blank(ConfigurableEnvironment environment, String key) {
        String value = environment.getProperty(key);
        return value == null || value.isBlank();
    }
}
