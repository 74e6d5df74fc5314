package dev.prodlike.redis.internal;

import dev.prodlike.redis.RedisKeys;
import dev.prodlike.spi.ProfileKeys;
import dev.prodlike.spi.ValueCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Declares {@link RedisKeys} to core's profile validation (registered in META-INF/services). */
public final class RedisProfileKeys implements ProfileKeys {

    private static final Pattern VERSION = Pattern.compile("[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,3})?");

    @Override
    public Map<String, ValueCheck> keys() {
        Map<String, ValueCheck> keys = new LinkedHashMap<>();
        keys.put(RedisKeys.VERSION, ValueCheck.matching(VERSION, "must be a Redis version such as 7.0 or 7.0.15"));
        keys.put(
                RedisKeys.URL,
                v -> v.startsWith("redis://") || v.startsWith("rediss://")
                        ? null
                        : "must be a Redis URI such as redis://127.0.0.1:6379/15");
        keys.put(RedisKeys.BINARY, ValueCheck.notBlank("must be the path of a redis-server executable"));
        keys.put(RedisKeys.PORT, ValueCheck.port());
        keys.put(
                RedisKeys.TOPOLOGY,
                v -> v.equals("standalone") || v.equals("cluster") ? null : "must be standalone or cluster");
        keys.put(RedisKeys.CLUSTER_MASTERS, ValueCheck.intBetween(3, 16));
        return keys;
    }

    @Override
    public Set<String> prefixes() {
        return Set.of(RedisKeys.SETTINGS_PREFIX);
    }
}
