package dev.prodlike.rls;

import dev.prodlike.postgres.TenantDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Applies a corpus schema (src/test/resources/rls/...) to a test's fresh database as the owner. */
final class Corpus {

    private Corpus() {}

    static void apply(TenantDatabase db, String resource) {
        execute(db, read(resource).replace("${app_role}", db.appRole()).replace("${db}", db.databaseName()));
    }

    /** @return the corpus file's SQL, with {@code \i other.sql} lines (a twin's base) replaced by that file */
    private static String read(String resource) {
        String sql;
        try (InputStream in = Corpus.class.getResourceAsStream("/rls/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No corpus file rls/" + resource);
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder out = new StringBuilder();
        for (String line : sql.split("\n")) {
            out.append(line.startsWith("\\i ") ? read(line.substring(3).trim()) : line)
                    .append('\n');
        }
        return out.toString();
    }

    static void execute(TenantDatabase db, String sql) {
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not apply corpus SQL: " + e.getMessage(), e);
        }
    }

    static int major(TenantDatabase db) {
        return Integer.parseInt(db.serverVersion().split("\\.")[0]);
    }

    /** @return a fingerprint of every row count, grant and sequence value in the user schemas */
    static String fingerprint(TenantDatabase db) {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.ownerDataSource().getConnection();
                Statement s = c.createStatement()) {
            StringBuilder counts = new StringBuilder();
            try (ResultSet rs = s.executeQuery("SELECT c.oid::regclass::text, c.relkind, coalesce(c.relacl::text, ''),"
                    + " (SELECT string_agg(p.polname || ':' || coalesce(pg_get_expr(p.polqual, p.polrelid), ''), ',')"
                    + "    FROM pg_policy p WHERE p.polrelid = c.oid)"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') ORDER BY 1")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String kind = rs.getString(2);
                    sb.append(name)
                            .append(' ')
                            .append(rs.getString(3))
                            .append(' ')
                            .append(rs.getString(4))
                            .append('\n');
                    if (kind.equals("r") || kind.equals("p")) {
                        counts.append("SELECT '")
                                .append(name)
                                .append(
                                        "', count(*)::text || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM ")
                                .append(name)
                                .append(" t UNION ALL ");
                    } else if (kind.equals("S")) {
                        counts.append("SELECT '")
                                .append(name)
                                .append("', last_value::text || ' ' || is_called FROM ")
                                .append(name)
                                .append(" UNION ALL ");
                    }
                }
            }
            try (ResultSet rs = s.executeQuery(
                    counts + "SELECT 'app role', rolname || rolsuper || rolbypassrls FROM pg_roles WHERE rolname = '"
                            + db.appRole() + "'")) {
                while (rs.next()) {
                    sb.append(rs.getString(1))
                            .append(" = ")
                            .append(rs.getString(2))
                            .append('\n');
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return sb.toString();
    }
}
