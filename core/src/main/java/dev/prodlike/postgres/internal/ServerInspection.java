package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Drift;
import dev.prodlike.internal.EnvironmentReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a started server is compared with the profile: its version, the declared settings (as the server renders
 * them: UTC is Etc/UTC, {@code on} is {@code true}) and the declared extensions; every difference a drift finding.
 */
final class ServerInspection {

    private ServerInspection() {}

    /**
     * Compares version, declared settings and extensions with the profile.
     *
     * @return the server's version
     */
    static String inspect(
            PgServer pg, PgSettings settings, EnvironmentReport.Entry entry, List<Drift.Finding> findings) {
        try (Connection c = pg.ownerConnection(pg.adminDatabase())) {
            String actualVersion = query(c, "SHOW server_version").split(" ")[0];
            entry.compared("postgres.version", settings.version(), actualVersion);
            if (!actualVersion.equals(settings.version())) {
                findings.add(new Drift.Finding("postgres.version", settings.version(), actualVersion));
            }
            for (Map.Entry<String, String> s : settings.settings().entrySet()) {
                compareSetting(c, s.getKey(), s.getValue(), entry, findings);
            }
            for (String ext : settings.extensions()) {
                compareExtension(c, ext, entry, findings);
            }
            return actualVersion;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not inspect " + pg.description() + ": " + e.getMessage(), e);
        }
    }

    private static void compareSetting(
            Connection c, String key, String declared, EnvironmentReport.Entry entry, List<Drift.Finding> findings)
            throws SQLException {
        String actual;
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true)")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                actual = rs.getString(1);
            }
        }
        actual = actual == null ? "(unknown setting)" : actual;
        entry.compared("postgres.settings." + key, declared, actual);
        if (!sameSetting(declared, actual)
                && !sameSetting(canonical(c, key, declared), actual)
                && !(key.endsWith("timezone") && sameZone(c, declared, actual))) {
            findings.add(new Drift.Finding("postgres.settings." + key, declared, actual));
        }
    }

    private static void compareExtension(
            Connection c, String ext, EnvironmentReport.Entry entry, List<Drift.Finding> findings) throws SQLException {
        boolean available;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = ?)")) {
            ps.setString(1, ext);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                available = rs.getBoolean(1);
            }
        }
        entry.compared("postgres.extensions " + ext, "available", available ? "available" : "not available");
        if (!available) {
            findings.add(new Drift.Finding("postgres.extensions", ext + " available", ext + " missing"));
        }
    }

    private static boolean sameSetting(String declared, String actual) {
        String d = declared.trim().toLowerCase(Locale.ROOT);
        String a = actual.trim().toLowerCase(Locale.ROOT);
        if (d.equals(a)) {
            return true;
        }
        Map<String, String> booleans =
                Map.of("on", "true", "yes", "true", "1", "true", "off", "false", "no", "false", "0", "false");
        return booleans.containsKey(d) && booleans.get(d).equals(booleans.get(a));
    }

    /** The server's own rendering of a declared value (UTC becomes Etc/UTC, 64MB stays 64MB), where settable. */
    private static String canonical(Connection c, String name, String declared) {
        boolean auto = true;
        try {
            auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)")) {
                ps.setString(1, name);
                ps.setString(2, declared);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            return declared;
        }
    }

    /** UTC and Etc/UTC are one zone: same local time in winter and in summer. */
    private static boolean sameZone(Connection c, String a, String b) {
        String sql = "SELECT (timestamptz '2024-01-15 12:00Z' AT TIME ZONE ?) = (timestamptz '2024-01-15 12:00Z'"
                + " AT TIME ZONE ?) AND (timestamptz '2024-07-15 12:00Z' AT TIME ZONE ?)"
                + " = (timestamptz '2024-07-15 12:00Z' AT TIME ZONE ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, a);
            ps.setString(2, b);
            ps.setString(3, a);
            ps.setString(4, b);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
