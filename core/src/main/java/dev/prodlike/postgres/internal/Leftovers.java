package dev.prodlike.postgres.internal;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Databases prodlike created on an external server are marked with a comment naming the host and process; the next
 * run on the same host drops those whose process is gone. Nothing without the marker is ever touched.
 */
final class Leftovers {

    private static final String PREFIX = "prodlike run ";

    private Leftovers() {
    }

    static String marker() {
        ProcessHandle self = ProcessHandle.current();
        return PREFIX + host() + " " + self.pid() + " " + self.info().startInstant().map(i -> i.getEpochSecond())
                .orElse(0L);
    }

    static int dropDead(PgServer server) {
        List<String> dead = new ArrayList<>();
        try (Connection c = server.ownerConnection(server.adminDatabase()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT d.datname, shobj_description(d.oid, 'pg_database')"
                     + " FROM pg_database d WHERE d.datname LIKE 'prodlike\\_%'")) {
            while (rs.next()) {
                String comment = rs.getString(2);
                if (comment != null && comment.startsWith(PREFIX)) {
                    String[] p = comment.substring(PREFIX.length()).split(" ");
                    if (p.length == 3 && p[0].equals(host()) && !alive(Long.parseLong(p[1]), Long.parseLong(p[2]))) {
                        dead.add(rs.getString(1));
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            return 0;
        }
        dead.sort((a, b) -> b.length() - a.length()); // clones before their template
        for (String name : dead) {
            Template.dropQuietly(server, name);
        }
        return dead.size();
    }

    private static boolean alive(long pid, long start) {
        return ProcessHandle.of(pid).map(h -> h.isAlive() && h.info().startInstant()
                .map(i -> i.getEpochSecond() == start).orElse(true)).orElse(false);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(' ', '_');
        } catch (Exception e) {
            return "localhost";
        }
    }
}
