package dev.prodlike.redis;

import java.util.Locale;
import org.apiguardian.api.API;

/**
 * How production runs Redis: one server, or a Redis Cluster whose keys are spread over several masters by hash slot.
 *
 * <p>Set once with {@code redis.topology=cluster} in {@code prodlike.properties}, per class with
 * {@link RedisSession#topology()}, or per run with {@code -Dprodlike.redis.topology=cluster}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public enum RedisTopology {

    /** Take the topology from the production profile (the default of {@link RedisSession#topology()}). */
    FROM_PROFILE,

    /** One server with logical databases (the default of the profile). */
    STANDALONE,

    /**
     * A Redis Cluster of {@code redis.cluster.masters} masters (3 by default), every hash slot assigned: multi-key
     * commands across slots fail with {@code CROSSSLOT}, {@code SELECT} is refused, clients follow {@code MOVED}.
     */
    CLUSTER;

    /**
     * Parses a profile value, {@code standalone} or {@code cluster}.
     *
     * @param value the value as written in the profile
     * @return the topology
     * @throws IllegalArgumentException when the value names no topology
     */
    public static RedisTopology parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "standalone" -> STANDALONE;
            case "cluster" -> CLUSTER;
            default ->
                throw new IllegalArgumentException(
                        "'" + value + "' is not a Redis topology; use standalone or cluster");
        };
    }

    /** @return the name as written in the profile, e.g. {@code cluster} */
    public String profileName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
