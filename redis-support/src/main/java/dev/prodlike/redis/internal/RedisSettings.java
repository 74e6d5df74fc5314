package dev.prodlike.redis.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import dev.prodlike.internal.ProviderChoice;
import dev.prodlike.redis.RedisKeys;
import dev.prodlike.redis.RedisTopology;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What one test class asked for, resolved from the profile, annotation attributes and system properties.
 *
 * @param profile     the effective profile
 * @param version     Redis version of production, major.minor or major.minor.patch
 * @param provider    the provider to use (never AUTO or FROM_PROFILE)
 * @param providerWhy why that provider (for messages and the report)
 * @param settings    Redis settings production pins ({@code redis.settings.*}, prefix removed)
 * @param topology    standalone or cluster (never FROM_PROFILE)
 * @param masters     how many masters a cluster has
 */
public record RedisSettings(
        ProductionProfile profile,
        String version,
        Provider provider,
        String providerWhy,
        Map<String, String> settings,
        RedisTopology topology,
        int masters) {

    /**
     * @param profile the effective profile
     * @return the resolved settings
     * @throws ExtensionConfigurationException when something required is missing or a provider is unusable
     */
    public static RedisSettings from(ProductionProfile profile) {
        String version = profile.require(RedisKeys.VERSION, "7.0");
        ProviderChoice choice = ProviderChoice.resolve(
                profile,
                "Redis " + version,
                "org.testcontainers:testcontainers",
                "org.testcontainers.containers.GenericContainer",
                "which runs the redis-server shipped in org.signal:embedded-redis",
                "redis:" + version);
        if (choice.provider() == Provider.EXTERNAL) {
            profile.require(RedisKeys.URL, "redis://127.0.0.1:6379/15");
        }
        Provider provider = choice.provider();
        String why = choice.why();
        RedisTopology topology = RedisTopology.parse(profile.get(RedisKeys.TOPOLOGY, "standalone"));
        if (topology == RedisTopology.CLUSTER && provider == Provider.EXTERNAL) {
            throw new ExtensionConfigurationException(RedisKeys.TOPOLOGY + "=cluster with provider=external: prodlike"
                    + " empties every master of a test cluster (FLUSHALL) before each test, which it never does to a"
                    + " server it did not start.\nFix: let prodlike start the cluster (provider=embedded or docker),"
                    + " or test against the external server as standalone (" + RedisKeys.TOPOLOGY + "=standalone).");
        }
        if (topology == RedisTopology.CLUSTER && profile.get(RedisKeys.PORT).isPresent()) {
            throw new ExtensionConfigurationException(RedisKeys.PORT + " with " + RedisKeys.TOPOLOGY + "=cluster: a"
                    + " test cluster has a port per master, and parallel tests get clusters of their own, so no"
                    + " single port can be fixed.\nFix: remove " + RedisKeys.PORT + " (prodlike takes free ports on"
                    + " 127.0.0.1).");
        }
        int masters =
                Integer.parseInt(profile.get(RedisKeys.CLUSTER_MASTERS, "3").trim());
        return new RedisSettings(
                profile, version, provider, why, profile.withPrefix(RedisKeys.SETTINGS_PREFIX), topology, masters);
    }

    /** @return what identifies a server: same key, same shared server */
    String serverKey() {
        return provider + "|" + version + "|" + settings + "|" + profile.get(RedisKeys.URL, "") + "|"
                + profile.get(RedisKeys.PORT, "") + "|" + profile.get(RedisKeys.BINARY, "") + "|" + topology
                + (topology == RedisTopology.CLUSTER ? "|" + masters : "");
    }

    /** @return the declared major.minor, e.g. {@code 7.0} for {@code 7.0.15} */
    public String majorMinor() {
        return majorMinor(version);
    }

    /**
     * @param version such as {@code 7.0.15}
     * @return {@code 7.0}
     */
    public static String majorMinor(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    /**
     * @param declared what the profile declares, {@code 7.0} or {@code 7.0.15}
     * @param actual   what the server reports, e.g. {@code 7.0.15}
     * @return true when they match at the precision the profile declares
     */
    public static boolean versionMatches(String declared, String actual) {
        return declared.split("\\.").length >= 3
                ? declared.equals(actual)
                : majorMinor(declared).equals(majorMinor(actual));
    }
}
