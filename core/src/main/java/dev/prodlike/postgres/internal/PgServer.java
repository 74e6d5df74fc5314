package dev.prodlike.postgres.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** A running PostgreSQL server, however provided. */
public interface PgServer extends AutoCloseable {

    /**
     * Told to the JDBC driver for every connection prodlike opens: with it the driver sends {@code application_name}
     * and {@code extra_float_digits} in the startup packet instead of two SET statements after connecting, one
     * round trip and two statements less per connection. Every server that has them (9.0 on) takes them there.
     */
    String ASSUME_MIN_SERVER_VERSION = "9.0";

    /** @return host to connect to */
    String host();

    /** @return port to connect to */
    int port();

    /** @return user that creates databases and runs migrations */
    String ownerUser();

    /** @return its password, or null */
    String ownerPassword();

    /** @return database the owner connects to for administration */
    String adminDatabase();

    /** @return e.g. {@code embedded (zonky binaries 16.4.0, cached cluster)} */
    String description();

    /** @return the provider name: docker, embedded or external */
    String provider();

    /** @return true when prodlike started this server (superuser owner, may be stopped, settings applied) */
    boolean provisioned();

    /**
     * @return true when databases prodlike makes here outlive this JVM unless dropped (an external server, a reused
     *         container): they are marked, dropped at the end, and dropped by the next run if this JVM dies first
     */
    default boolean outlivesRun() {
        return !provisioned();
    }

    /**
     * @param role the app role
     * @return its password on a server prodlike started that checks passwords for every connection (Docker: the
     *         official image requires them for connections through the bridge); null where none is needed
     */
    default String appPassword(String role) {
        return null;
    }

    /** @return true when migrated templates stay in this server for the next run (a reused container) */
    default boolean keepsTemplates() {
        return false;
    }

    /**
     * @return whether the databases tests get go into a tablespace of their own rather than the server's default
     *         (Docker: one on a tmpfs of the container); answered without asking the server
     */
    default boolean offersCloneTablespace() {
        return false;
    }

    /**
     * @return that tablespace, made on the first call (so called off the tests' threads); empty for
     *         {@code pg_default}, also when it could not be made (said why)
     */
    default Optional<String> cloneTablespace() {
        return Optional.empty();
    }

    /**
     * @return how the start was spent, for the report (e.g. image check, container start, reused or not; copy and
     *         boot times), in the order it happened
     */
    default Map<String, Object> startPhases() {
        return Map.of();
    }

    /** @return this server's cache of migrated clusters, when it keeps its whole cluster for later runs */
    default Optional<ClusterSnapshots> clusterSnapshots() {
        return Optional.empty();
    }

    /** @return test-only settings applied for speed, with why they do not change semantics */
    Map<String, String> deliberateSettings();

    /** @return milliseconds it took to have this server answer */
    long startMillis();

    /** Stops the server when prodlike started it; forgets it otherwise. */
    @Override
    void close();

    /**
     * @param database a database name
     * @return its JDBC URL
     */
    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /**
     * Drops a database and whoever is connected to it; a failure is ignored (the database goes with the server, or
     * a later run's sweep drops it).
     *
     * @param database a database name
     */
    default void dropDatabaseQuietly(String database) {
        try (Connection c = ownerConnection(adminDatabase());
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + Sql.ident(database) + " WITH (FORCE)");
        } catch (SQLException ignored) {
            // gone with the server
        }
    }

    /**
     * @param database a database name
     * @return a new connection as the owner
     * @throws SQLException when the server refuses
     */
    default Connection ownerConnection(String database) throws SQLException {
        return ownerConnection(database, "prodlike");
    }

    /**
     * @param database        a database name
     * @param applicationName how the session shows in {@code pg_stat_activity}
     * @return a new connection as the owner
     * @throws SQLException when the server refuses
     */
    default Connection ownerConnection(String database, String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ownerUser());
        if (ownerPassword() != null) {
            p.setProperty("password", ownerPassword());
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        p.setProperty("assumeMinServerVersion", ASSUME_MIN_SERVER_VERSION);
        return DriverManager.getConnection(jdbcUrl(database), p);
    }
}
