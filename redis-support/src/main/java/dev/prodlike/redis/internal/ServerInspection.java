package dev.prodlike.redis.internal;

import dev.prodlike.internal.Drift;
import dev.prodlike.internal.EnvironmentReport;
import dev.prodlike.redis.RedisKeys;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a started server (or a cluster's first master) runs, compared with the profile: the version and each declared
 * setting, entered into the server's report entry; differences become drift findings.
 *
 * @param version       the version the server reports
 * @param notifications its {@code notify-keyspace-events}
 * @param findings      what differs from the profile
 */
record ServerInspection(String version, String notifications, List<Drift.Finding> findings) {

    /**
     * @param cmd      a connection to the server
     * @param settings the class's settings
     * @param entry    the report entry to enter the comparisons into
     * @return what the server runs
     */
    static ServerInspection of(
            RedisCommands<String, String> cmd, RedisSettings settings, EnvironmentReport.Entry entry) {
        List<Drift.Finding> findings = new ArrayList<>();
        String actualVersion = RedisEnvironments.infoField(cmd.info("server"), "redis_version");
        entry.compared(RedisKeys.VERSION, settings.version(), actualVersion);
        if (!RedisSettings.versionMatches(settings.version(), actualVersion)) {
            findings.add(new Drift.Finding(RedisKeys.VERSION, settings.version(), actualVersion));
        }
        for (Map.Entry<String, String> s : settings.settings().entrySet()) {
            String actual = configGet(cmd, s.getKey());
            String key = RedisKeys.SETTINGS_PREFIX + s.getKey();
            entry.compared(key, s.getValue(), actual);
            if (!RedisEnvironments.sameSetting(s.getValue(), actual)) {
                findings.add(new Drift.Finding(key, s.getValue(), actual));
            }
        }
        return new ServerInspection(actualVersion, configGet(cmd, "notify-keyspace-events"), List.copyOf(findings));
    }

    /** @return the setting's value, or why it could not be read */
    static String configGet(RedisCommands<String, String> cmd, String name) {
        try {
            Map<String, String> m = cmd.configGet(name);
            String v = m.get(name);
            if (v == null && !m.isEmpty()) {
                v = m.values().iterator().next();
            }
            return v == null ? "(unknown setting)" : v;
        } catch (RedisException e) {
            return "(CONFIG GET refused: " + e.getMessage() + ")";
        }
    }
}
