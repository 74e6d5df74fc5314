package dev.prodlike.spring.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The application's own PgJDBC settings, kept when prodlike connects it to the test's database: the query parameters
 * of its JDBC URL and its data source properties (Hikari's {@code spring.datasource.hikari.data-source-properties}),
 * so its {@code socketTimeout} and {@code connectTimeout} apply to the test's connections as in production. Hikari's
 * {@code connectionTimeout} bounds opening a connection as PgJDBC's {@code loginTimeout} (whole seconds, rounded up)
 * when the application sets none, as it bounds {@code getConnection()} in production.
 */
final class DriverProperties {

    private DriverProperties() {}

    /**
     * @param original the application's DataSource bean
     * @return its driver properties; empty when it is no Hikari pool
     */
    static Properties of(DataSource original) {
        return HIKARI ? Hikari.properties(original) : new Properties();
    }

    /**
     * @param jdbcUrl a JDBC URL, or null
     * @return its query parameters
     */
    static Properties fromUrl(String jdbcUrl) {
        Properties p = new Properties();
        int q = jdbcUrl == null ? -1 : jdbcUrl.indexOf('?');
        if (q < 0) {
            return p;
        }
        for (String pair : jdbcUrl.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                p.setProperty(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return p;
    }

    /** Loaded only when HikariCP is on the classpath. */
    private static final class Hikari {
        static Properties properties(DataSource original) {
            Properties p = new Properties();
            if (original instanceof com.zaxxer.hikari.HikariConfig h) {
                p.putAll(fromUrl(h.getJdbcUrl()));
                h.getDataSourceProperties().forEach((k, v) -> p.setProperty(String.valueOf(k), String.valueOf(v)));
                if (!p.containsKey("loginTimeout") && h.getConnectionTimeout() > 0) {
                    p.setProperty("loginTimeout", String.valueOf((h.getConnectionTimeout() + 999) / 1000));
                }
            }
            // the test's database decides where and as whom
            for (String own : new String[] {"user", "password", "PGHOST", "PGPORT", "PGDBNAME"}) {
                p.remove(own);
            }
            return p;
        }
    }

    private static final boolean HIKARI = present("com.zaxxer.hikari.HikariConfig");

    private static boolean present(String name) {
        try {
            Class.forName(name, false, DriverProperties.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
