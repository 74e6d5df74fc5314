package dev.prodlike;

import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Where the servers of a test run come from.
 *
 * <p>Set once for all test classes with {@code provider=...} in {@code prodlike.properties}, per class with an
 * annotation attribute, or per run with {@code -Dprodlike.provider=...}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public enum Provider {

    /** Take the provider from the production profile (the default of every annotation attribute). */
    FROM_PROFILE,

    /** {@link #DOCKER} when Testcontainers is on the test classpath and a Docker engine answers, else {@link #EMBEDDED}. */
    AUTO,

    /** Testcontainers with the official images of exactly the declared versions. */
    DOCKER,

    /** Binaries from Maven artifacts (zonky PostgreSQL, static redis-server) run as local processes: no Docker. */
    EMBEDDED,

    /** An existing server named by {@code postgres.url} / {@code redis.url}; only databases prodlike creates are used. */
    EXTERNAL;

    /**
     * Parses a profile value such as {@code auto} or {@code embedded}.
     *
     * @param value the value as written in the profile
     * @return the provider
     * @throws IllegalArgumentException when the value names no provider
     */
    public static Provider parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "auto" -> AUTO;
            case "docker" -> DOCKER;
            case "embedded" -> EMBEDDED;
            case "external" -> EXTERNAL;
            default ->
                throw new IllegalArgumentException(
                        "'" + value + "' is not a provider; use one of auto, docker, embedded, external");
        };
    }

    /** @return the name as written in the profile, e.g. {@code embedded} */
    public String profileName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
