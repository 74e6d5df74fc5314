package dev.prodlike.postgres.internal;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What prodlike creates on a server it does not own (provider=external) carries the run that created it from the
 * moment it exists, so the next run on the same host can drop what a crashed run left, and nothing else:
 * <ul>
 *   <li>databases in their name, {@code prodlike_<host>_<pid>_<start>_<nonce>_t<n>[_<clone>]} (host a hash of the
 *   host name, pid and JVM start time in base 36): {@code CREATE DATABASE} is one statement, so there is no moment
 *   when a database exists without its marker;</li>
 *   <li>the app role, when prodlike creates it, in a {@code COMMENT ON ROLE} written in the transaction that creates
 *   it: {@code prodlike run <host> <pid> <start>}.</li>
 * </ul>
 * Databases marked by a comment (earlier versions) are recognised too. A database or role without a marker, or
 * with another host's, is never touched.
 */
final class Leftovers {

    private static final String PREFIX = "prodlike run ";
    private static final Pattern NAME =
            Pattern.compile("prodlike_([0-9a-f]{6})_([0-9a-z]+)_([0-9a-z]+)_[0-9a-f]{4}_t\\d+(_\\w+)?");

    private Leftovers() {}

    /** @return the comment that marks what this JVM creates (the host name, pid and start second) */
    static String marker() {
        ProcessHandle self = ProcessHandle.current();
        return PREFIX + host() + " " + self.pid() + " " + startSecond(self);
    }

    /**
     * @return a fresh prefix for database names of one environment in this JVM, {@code prodlike_<host>_<pid>_
     *     <start>_<nonce>}
     */
    static String databasePrefix() {
        ProcessHandle self = ProcessHandle.current();
        return "prodlike_" + hostHash(host()) + "_" + Long.toString(self.pid(), 36) + "_"
                + Long.toString(startSecond(self), 36) + "_"
                + UUID.randomUUID().toString().substring(0, 4);
    }

    /**
     * Drops the databases and then the roles that runs on this host, now dead, left behind.
     *
     * @param server the server
     * @return how many databases and roles were dropped
     */
    static int dropDead(PgServer server) {
        List<String> deadDatabases = new ArrayList<>();
        List<String> deadRoles = new ArrayList<>();
        try (Connection c = server.ownerConnection(server.adminDatabase());
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT d.datname, shobj_description(d.oid, 'pg_database')"
                    + " FROM pg_database d WHERE d.datname LIKE 'prodlike\\_%'")) {
                while (rs.next()) {
                    if (deadByName(rs.getString(1)) || deadByComment(rs.getString(2))) {
                        deadDatabases.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname FROM pg_roles r"
                    + " WHERE shobj_description(r.oid, 'pg_authid') LIKE ? AND r.rolname <> current_user")) {
                ps.setString(1, PREFIX + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        deadRoles.add(rs.getString(1));
                    }
                }
            }
            deadRoles.removeIf(role -> !deadByComment(roleComment(c, role)));
        } catch (SQLException | RuntimeException e) {
            return 0;
        }
        deadDatabases.sort((a, b) -> b.length() - a.length()); // clones before their template
        for (String name : deadDatabases) {
            server.dropDatabaseQuietly(name);
        }
        int roles = 0;
        for (String role : deadRoles) {
            try (Connection c = server.ownerConnection(server.adminDatabase());
                    Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS " + Sql.ident(role));
                roles++;
            } catch (SQLException e) {
                // still granted something in a live run's database: that run drops it, or a later sweep does
            }
        }
        return deadDatabases.size() + roles;
    }

    private static String roleComment(Connection c, String role) {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }

    static boolean deadByName(String database) {
        Matcher m = NAME.matcher(database);
        return m.matches()
                && m.group(1).equals(hostHash(host()))
                && !alive(Long.parseLong(m.group(2), 36), Long.parseLong(m.group(3), 36));
    }

    static boolean deadByComment(String comment) {
        if (comment == null || !comment.startsWith(PREFIX)) {
            return false;
        }
        String[] p = comment.substring(PREFIX.length()).split(" ");
        try {
            return p.length == 3 && p[0].equals(host()) && !alive(Long.parseLong(p[1]), Long.parseLong(p[2]));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean alive(long pid, long start) {
        return ProcessHandle.of(pid)
                .map(h -> h.isAlive()
                        && h.info()
                                .startInstant()
                                .map(i -> i.getEpochSecond() == start)
                                .orElse(true))
                .orElse(false);
    }

    private static long startSecond(ProcessHandle handle) {
        return handle.info().startInstant().map(i -> i.getEpochSecond()).orElse(0L);
    }

    static String hostHash(String host) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(host.getBytes(StandardCharsets.UTF_8)), 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(' ', '_');
        } catch (Exception e) {
            return "localhost";
        }
    }
}
