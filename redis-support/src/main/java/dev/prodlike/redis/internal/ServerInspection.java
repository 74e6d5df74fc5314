package dev.prodlike.redis.internal;

import dev.prodlike.internal.Drift;
import dev.prodlike.internal.EnvironmentReport;
import dev.prodlike.redis.RedisKeys;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a started server (or a cluster's first master) runs, compared with the profile: the version and each declared
 * setting, entered into the server's report entry; differences become drift findings.
 *
 * @param version       the version the server reports
 * @param notifications its {@code notify-keyspace-events}
 * @param findings      what differs from the profile
 */
record ServerInspection(String version, String notifications, List<Drift.Finding> findings) {

    private static final Pattern MEMORY = Pattern.compile("([0-9]+)\\s*(b|k|kb|m|mb|g|gb)?");

    /**
     * @param cmd      a connection to the server
     * @param settings the class's settings
     * @param entry    the report entry to enter the comparisons into
     * @return what the server runs
     */
    static ServerInspection of(
            RedisCommands<String, String> cmd, RedisSettings settings, EnvironmentReport.Entry entry) {
        List<Drift.Finding> findings = new ArrayList<>();
        String actualVersion = infoField(cmd.info("server"), "redis_version");
        entry.compared(RedisKeys.VERSION, settings.version(), actualVersion);
        if (!RedisSettings.versionMatches(settings.version(), actualVersion)) {
            findings.add(new Drift.Finding(RedisKeys.VERSION, settings.version(), actualVersion));
        }
        for (Map.Entry<String, String> s : settings.settings().entrySet()) {
            String actual = configGet(cmd, s.getKey());
            String key = RedisKeys.SETTINGS_PREFIX + s.getKey();
            entry.compared(key, s.getValue(), actual);
            if (!sameSetting(s.getValue(), actual)) {
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

    /**
     * Reads what a server reports, so it lives with the inspection; {@link ClusterFormation} reads the cluster's state
     * with it too.
     *
     * @param info  the reply of INFO
     * @param field e.g. {@code redis_version}
     * @return the field's value, or {@code (unknown)}
     */
    static String infoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "(unknown)";
    }

    /**
     * @param declared the profile's value
     * @param actual   CONFIG GET's value
     * @return true when they mean the same: equal ignoring case, same number of bytes ({@code 100mb} and
     *         {@code 104857600}), same yes/no
     */
    static boolean sameSetting(String declared, String actual) {
        String d = declared.trim().toLowerCase(Locale.ROOT);
        String a = actual.trim().toLowerCase(Locale.ROOT);
        if (d.equals(a) || (d.equals("\"\"") && a.isEmpty())) {
            return true;
        }
        Long db = bytes(d);
        Long ab = bytes(a);
        return db != null && db.equals(ab);
    }

    static Long bytes(String text) {
        Matcher m = MEMORY.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        switch (unit) {
            case "k":
                return n * 1000;
            case "kb":
                return n * 1024;
            case "m":
                return n * 1000 * 1000;
            case "mb":
                return n * 1024 * 1024;
            case "g":
                return n * 1000 * 1000 * 1000;
            case "gb":
                return n * 1024 * 1024 * 1024;
            default:
                return n;
        }
    }
}
