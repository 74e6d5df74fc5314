package dev.prodlike.redis;

import org.apiguardian.api.API;

/**
 * The production-profile keys of {@code prodlike-redis-support}, as written in {@code prodlike.properties}.
 *
 * <pre>{@code
 * redis.version=7.0
 * redis.settings.maxmemory-policy=allkeys-lru
 * }</pre>
 *
 * <p>The module declares them to core through {@link dev.prodlike.spi.ProfileKeys}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class RedisKeys {

    /** Redis version of production, major.minor or major.minor.patch: {@value}. */
    public static final String VERSION = "redis.version";
    /** Prefix of Redis settings production pins, e.g. {@code redis.settings.maxmemory-policy=allkeys-lru}: {@value}. */
    public static final String SETTINGS_PREFIX = "redis.settings.";
    /** URL of an existing Redis for the external provider: {@value}. */
    public static final String URL = "redis.url";
    /** A redis-server binary to run instead of the one shipped in embedded-redis: {@value}. */
    public static final String BINARY = "redis.binary";
    /** Fixed port for a provisioned Redis (default: a free port): {@value}. */
    public static final String PORT = "redis.port";
    /** How production runs Redis, {@code standalone} (the default) or {@code cluster}: {@value}. */
    public static final String TOPOLOGY = "redis.topology";
    /** With {@code redis.topology=cluster}: how many masters the test cluster has, 3 (the default) to 16: {@value}. */
    public static final String CLUSTER_MASTERS = "redis.cluster.masters";

    private RedisKeys() {}
}
