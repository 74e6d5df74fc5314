package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Console;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The migrated template database of one (server, migrations, app role): migrations applied once per JVM as the
 * owner, then cloned for every test by a {@link ClonePool}.
 */
final class Template implements AutoCloseable {

    final String name;
    final String appRole;
    final String appPassword;
    final Migrations.Result migrations;
    final ClonePool clones;
    final long prepareMillis;
    final int appRoleOwns;
    private final PgServer server;
    private final boolean createdRole;
    private volatile boolean kept;
    private static final String MIGRATIONS_CREATED = "created by the migrations";
    /** Who made the app role: the migrations, prodlike, or someone before both; for the report. */
    String appRoleOrigin = "unknown";

    private Template(
            PgServer server,
            String name,
            String appRole,
            String appPassword,
            boolean createdRole,
            Migrations.Result migrations,
            ClonePool clones,
            long prepareMillis,
            int appRoleOwns) {
        this.server = server;
        this.name = name;
        this.appRole = appRole;
        this.appPassword = appPassword;
        this.createdRole = createdRole;
        this.migrations = migrations;
        this.clones = clones;
        this.prepareMillis = prepareMillis;
        this.appRoleOwns = appRoleOwns;
    }

    /**
     * The template already exists in the cluster the server started from (a cached migrated cluster).
     */
    static Template fromSnapshot(
            PgServer server, String name, String appRole, TemplateMetadata meta, int prefetch, int majorVersion) {
        return fromSnapshot(server, name, name + "_", appRole, meta, prefetch, majorVersion);
    }

    static Template fromSnapshot(
            PgServer server,
            String name,
            String clonePrefix,
            String appRole,
            TemplateMetadata meta,
            int prefetch,
            int majorVersion) {
        long t0 = System.nanoTime();
        ClonePool pool = new ClonePool(server, name, clonePrefix, prefetch, majorVersion, meta.seededClones());
        // no time spent: nothing was migrated now
        Migrations.Result result = new Migrations.Result(meta.applied(), meta.checksum(), 0, meta.lastVersion());
        Template t = new Template(
                server,
                name,
                appRole,
                server.appPassword(appRole),
                false,
                result,
                pool,
                (System.nanoTime() - t0) / 1_000_000,
                meta.appRoleOwns());
        t.appRoleOrigin = meta.appRoleOrigin();
        if (t.appRoleOrigin.startsWith(MIGRATIONS_CREATED)) {
            Console.line("app role " + appRole + ": " + t.appRoleOrigin);
        }
        return t;
    }

    static Template prepare(
            PgServer server,
            String name,
            Migrator migrations,
            String appRole,
            String configuredAppPassword,
            int prefetch,
            int majorVersion,
            Consumer<TemplateMetadata> beforeCloning) {
        return prepare(
                server,
                name,
                name + "_",
                migrations,
                appRole,
                configuredAppPassword,
                prefetch,
                majorVersion,
                beforeCloning);
    }

    static Template prepare(
            PgServer server,
            String name,
            String clonePrefix,
            Migrator migrations,
            String appRole,
            String configuredAppPassword,
            int prefetch,
            int majorVersion,
            Consumer<TemplateMetadata> beforeCloning) {
        long t0 = System.nanoTime();
        boolean createdRole;
        String password = configuredAppPassword;
        // Services whose migrations create their own login role run them as in production: the role must not exist
        // yet. Others expect it to exist (made by infrastructure): prodlike creates it first.
        Optional<String> roleCreator = migrations.creatorOf(appRole);
        try (Connection c = server.ownerConnection(server.adminDatabase());
                Statement s = c.createStatement()) {
            if (!server.provisioned() && configuredAppPassword == null) {
                password = UUID.randomUUID().toString();
            }
            if (roleCreator.isPresent()) {
                createdRole = false;
            } else {
                createdRole = ensureRole(c, server, appRole, configuredAppPassword, password);
                if (!createdRole && !server.provisioned()) {
                    checkPassword(server, appRole, configuredAppPassword);
                }
                if (server.provisioned() && server.appPassword(appRole) != null) {
                    // Our own server that checks passwords (Docker): the app role gets one, as on an external server.
                    password = configuredAppPassword != null ? configuredAppPassword : server.appPassword(appRole);
                    s.execute("ALTER ROLE " + Sql.ident(appRole) + " PASSWORD " + Sql.literal(password));
                }
            }
            // On a server prodlike does not own, the name carries the run (Leftovers): no second statement.
            s.execute("CREATE DATABASE " + Sql.ident(name));
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not create the template database on " + server.description() + ": " + e.getMessage(), e);
        }
        Migrations.Result result;
        try {
            result = migrations.apply(server, name, appRole);
            if (roleCreator.isPresent()) {
                password = adoptRole(server, appRole, roleCreator.get(), configuredAppPassword, password);
                createdRole = true;
            }
        } catch (RuntimeException | Error e) {
            // Errors too (a linkage error from the consumer's Flyway): a half-made template left behind would fail
            // the next class with 'already exists' instead of this cause.
            dropQuietly(server, name);
            throw e;
        }
        String roleOrigin = roleCreator.isPresent()
                ? MIGRATIONS_CREATED + " (" + roleCreator.get() + "), as in production"
                : createdRole
                        ? "created by prodlike before the migrations (no migration creates it)"
                        : "existed before the migrations";
        if (roleCreator.isPresent()) {
            Console.line("app role " + appRole + ": " + roleOrigin);
        }
        int owns;
        try (Connection c = server.ownerConnection(name)) {
            checkGrants(c, appRole, migrations);
            owns = ownedBy(c, appRole);
        } catch (SQLException e) {
            dropQuietly(server, name);
            throw new IllegalStateException("Could not inspect the migrated template: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            dropQuietly(server, name);
            throw e;
        }
        List<String> seeded = new ArrayList<>();
        if (beforeCloning != null) {
            // Clones made now are part of the cached cluster: the next run's first tests do not wait at all.
            try (Connection c = server.ownerConnection(server.adminDatabase());
                    Statement s = c.createStatement()) {
                int seeds = server.clusterSnapshots()
                        .map(snapshots -> snapshots.clonesToSeed(prefetch))
                        .orElse(Math.min(1, prefetch));
                for (int i = 1; i <= seeds; i++) {
                    String clone = name + "_s" + i;
                    s.execute("CREATE DATABASE " + Sql.ident(clone) + " TEMPLATE " + Sql.ident(name));
                    seeded.add(clone);
                }
            } catch (SQLException e) {
                dropQuietly(server, name);
                throw new IllegalStateException("Could not clone the migrated template: " + e.getMessage(), e);
            }
            beforeCloning.accept(metadata(result, owns, seeded, roleOrigin));
        }
        ClonePool pool = new ClonePool(server, name, clonePrefix, prefetch, majorVersion, seeded);
        Template t = new Template(
                server, name, appRole, password, createdRole, result, pool, (System.nanoTime() - t0) / 1_000_000, owns);
        t.appRoleOrigin = roleOrigin;
        return t;
    }

    /**
     * After migrations that created the app role: gives it the password prodlike connects with where the server
     * checks one, and on a server prodlike does not own marks it as this run's, so it is dropped with the run.
     *
     * @return the password to connect as the role with
     */
    private static String adoptRole(
            PgServer server, String role, String creator, String configuredPassword, String generated) {
        try (Connection c = server.ownerConnection(server.adminDatabase());
                Statement s = c.createStatement()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new ExtensionConfigurationException("The migration " + creator + " seems to create"
                                + " the app role '" + role + "', but after the migrations no such role exists."
                                + "\nFix: set postgres.app-role to the role the migrations create.");
                    }
                }
            }
            String password = server.provisioned() ? server.appPassword(role) : generated;
            if (configuredPassword != null) {
                password = configuredPassword; // the migration's own password, told to prodlike
            } else if (password != null) {
                s.execute("ALTER ROLE " + Sql.ident(role) + " PASSWORD " + Sql.literal(password));
            }
            if (!server.provisioned()) {
                s.execute("COMMENT ON ROLE " + Sql.ident(role) + " IS " + Sql.literal(Leftovers.marker()));
            }
            return password;
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not prepare the app role " + role + " that the migrations created" + " on "
                            + server.description() + ": " + e.getMessage(),
                    e);
        }
    }

    private static final String KEPT = "prodlike template ";

    private static TemplateMetadata metadata(
            Migrations.Result result, int appRoleOwns, List<String> seeded, String appRoleOrigin) {
        return new TemplateMetadata(
                result.applied(),
                result.checksum(),
                String.valueOf(result.lastVersion()),
                appRoleOwns,
                seeded,
                appRoleOrigin);
    }

    /**
     * A template kept in a reused container: taken as it is when an earlier run finished migrating it (its comment
     * says so), else migrated now and marked. Under an advisory lock, so two JVMs on one container migrate once.
     */
    static Template keptOrPrepare(
            PgServer server,
            String name,
            String clonePrefix,
            Migrator migrations,
            String appRole,
            String configuredAppPassword,
            int prefetch,
            int majorVersion) {
        try (Connection lock = server.ownerConnection(server.adminDatabase());
                Statement s = lock.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext(" + Sql.literal(name) + "))");
            try {
                String comment = null;
                boolean exists = false;
                try (PreparedStatement ps = lock.prepareStatement(
                        "SELECT shobj_description(oid, 'pg_database')" + " FROM pg_database WHERE datname = ?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            exists = true;
                            comment = rs.getString(1);
                        }
                    }
                }
                Template t;
                if (exists && comment != null && comment.startsWith(KEPT)) {
                    t = fromSnapshot(
                            server,
                            name,
                            clonePrefix,
                            appRole,
                            TemplateMetadata.decode(comment.substring(KEPT.length())),
                            prefetch,
                            majorVersion);
                } else {
                    if (exists) { // an earlier run died while migrating
                        s.execute("DROP DATABASE " + Sql.ident(name) + " WITH (FORCE)");
                    }
                    t = prepare(
                            server,
                            name,
                            clonePrefix,
                            migrations,
                            appRole,
                            configuredAppPassword,
                            prefetch,
                            majorVersion,
                            null);
                    s.execute("COMMENT ON DATABASE " + Sql.ident(name) + " IS "
                            + Sql.literal(KEPT
                                    + metadata(t.migrations, t.appRoleOwns, List.of(), t.appRoleOrigin)
                                            .encode()));
                }
                t.keep();
                return t;
            } finally {
                s.execute("SELECT pg_advisory_unlock(hashtext(" + Sql.literal(name) + "))");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not prepare the kept template " + name + " on " + server.description() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Creates the app role unless it exists. On a server prodlike does not own, the role gets its password and a
     * comment naming this run in the same transaction, so a crash never leaves an unmarked role behind.
     */
    private static boolean ensureRole(Connection c, PgServer server, String role, String password, String newPassword)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!server.provisioned() && password == null) {
                        throw new ExtensionConfigurationException("Role '" + role + "' already exists on "
                                + server.description() + " and prodlike needs its password to connect as it.\n"
                                + "Fix: add postgres.app-password=<password> to prodlike.properties (or "
                                + "-Dprodlike.postgres.app-password=...).");
                    }
                    return false;
                }
            }
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + Sql.ident(role)
                    + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION");
            if (!server.provisioned()) {
                s.execute("COMMENT ON ROLE " + Sql.ident(role) + " IS " + Sql.literal(Leftovers.marker()));
                if (newPassword != null) {
                    s.execute("ALTER ROLE " + Sql.ident(role) + " PASSWORD " + Sql.literal(newPassword));
                }
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            if (!"42710".equals(e.getSQLState())) { // created concurrently by a parallel fork: fine
                throw e;
            }
            return false;
        } finally {
            c.setAutoCommit(auto);
        }
        return true;
    }

    /** The configured password of an existing app role, tried once up front instead of failing every test. */
    @SuppressWarnings("try") // opening the connection is the check
    private static void checkPassword(PgServer server, String role, String password) {
        Properties p = new Properties();
        p.setProperty("user", role);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "prodlike");
        p.setProperty("connectTimeout", "10");
        try (Connection ignored = DriverManager.getConnection(server.jdbcUrl(server.adminDatabase()), p)) {
            // the password works
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState())) {
                throw new ExtensionConfigurationException(
                        "The app role '" + role + "' exists on "
                                + server.description() + " but refuses the configured postgres.app-password: "
                                + e.getMessage() + "\nFix: set postgres.app-password=<the role's password> in"
                                + " prodlike.properties (or -Dprodlike.postgres.app-password=...), or ALTER ROLE "
                                + role
                                + " PASSWORD '<password>' on the server.",
                        e);
            }
            // other refusals (no CONNECT on the admin database, pg_hba rules) show up where tests connect
        }
    }

    private static void checkGrants(Connection c, String role, Migrator migrations) throws SQLException {
        // The tool's history tables are the owner's alone, in production too.
        String history = "c.relname <> ALL (?)";
        String sql = "SELECT count(*) FILTER (WHERE n.nspname NOT IN ('pg_catalog','information_schema')"
                + "   AND n.nspname NOT LIKE 'pg_toast%' AND " + history + "),"
                + " count(*) FILTER (WHERE n.nspname NOT IN ('pg_catalog','information_schema')"
                + "   AND n.nspname NOT LIKE 'pg_toast%' AND " + history
                + "   AND (has_table_privilege(?, c.oid, 'SELECT') OR has_table_privilege(?, c.oid, 'INSERT')"
                + "     OR has_table_privilege(?, c.oid, 'UPDATE') OR has_table_privilege(?, c.oid, 'DELETE')))"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r','p','v','m')";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array historyTables =
                    c.createArrayOf("text", migrations.historyTables().toArray());
            ps.setArray(1, historyTables);
            ps.setArray(2, historyTables);
            for (int i = 3; i <= 6; i++) {
                ps.setString(i, role);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int tables = rs.getInt(1);
                int granted = rs.getInt(2);
                if (tables > 0 && granted == 0) {
                    String what = migrations.describe();
                    throw new ExtensionConfigurationException(Character.toUpperCase(what.charAt(0))
                            + what.substring(1) + " created " + tables + " tables and views but grant the app role '"
                            + role
                            + "' nothing, so every query as the app role fails with 'permission denied'.\n"
                            + "Fix: grant in a migration what production grants, e.g.\n"
                            + "  GRANT USAGE ON SCHEMA public TO " + role + ";\n"
                            + "  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role
                            + ";\n(or ${app_role} in place of the name: prodlike sets that Flyway placeholder and Liquibase"
                            + " changelog parameter).");
                }
            }
        }
    }

    private static int ownedBy(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = ?)")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static void dropQuietly(PgServer server, String database) {
        server.dropDatabaseQuietly(database);
    }

    /** Leaves the template in the server for the next run (a reused container). */
    void keep() {
        kept = true;
    }

    @Override
    public void close() {
        clones.close();
        if (server.outlivesRun() && !kept) {
            dropQuietly(server, name);
            if (createdRole && !server.provisioned()) {
                try (Connection c = server.ownerConnection(server.adminDatabase());
                        Statement s = c.createStatement()) {
                    s.execute("DROP ROLE IF EXISTS " + Sql.ident(appRole));
                } catch (SQLException ignored) {
                    // still used by another run's databases; harmless
                }
            }
        }
    }
}
