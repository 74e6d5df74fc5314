package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Once;
import dev.prodlike.internal.SupportedLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Applies the service's real Flyway migrations to a template database, as the owner. */
final class Migrations {

    /** Outcome: how many migrations, a checksum over them, and how long it took. */
    record Result(int applied, String checksum, long millis, String lastVersion) {}

    /** The PostgreSQL support Flyway 10 and later ship as a module of their own, at flyway-core's version. */
    static final String POSTGRES_MODULE = "org.flywaydb:flyway-database-postgresql";

    private static final String POSTGRES_MODULE_CLASS = "org.flywaydb.database.postgresql.PostgreSQLDatabaseType";
    private static final Once<String> FLYWAY_VERSION = new Once<>();

    private Migrations() {}

    /**
     * Checks once per JVM the Flyway the consumer's build brings: flyway-core within the supported range and its
     * PostgreSQL module present at the same version (a build that pins only flyway-core gets prodlike's module, of
     * another version, and Flyway then fails with errors that name neither).
     *
     * @return flyway-core's version
     */
    static String checkedFlywayVersion() {
        return FLYWAY_VERSION.get(() -> {
            String core = SupportedLibrary.FLYWAY.check(Flyway.class);
            Class<?> module;
            try {
                module = Class.forName(POSTGRES_MODULE_CLASS, false, Flyway.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ExtensionConfigurationException("Flyway " + core + " is on the test classpath without its"
                        + " PostgreSQL support (" + POSTGRES_MODULE + "), which Flyway 10 and later need to migrate"
                        + " PostgreSQL.\nFix: add " + POSTGRES_MODULE + " at the version of flyway-core (" + core
                        + ") as a test dependency (with Spring Boot, leave its version out).");
            }
            String pg = new SupportedLibrary("Flyway's PostgreSQL support", POSTGRES_MODULE, "0", "0")
                    .version(module)
                    .orElse(core);
            if (!"unknown".equals(core) && !pg.equals(core)) {
                throw new ExtensionConfigurationException("flyway-core " + core + " and " + POSTGRES_MODULE + " "
                        + pg + " are on the test classpath: Flyway's modules work only at one version.\nFix: declare"
                        + " " + POSTGRES_MODULE + " at " + core + " beside flyway-core (with Spring Boot, leave both"
                        + " versions out so that Boot's BOM sets them).");
            }
            return core;
        });
    }

    static Result apply(PgServer server, String database, List<String> locations, String role) {
        try {
            return migrate(server, database, locations, role);
        } catch (LinkageError e) {
            // As an exception, so the failure is remembered and every class reports this same cause.
            String flyway =
                    "Flyway " + SupportedLibrary.FLYWAY.version(Flyway.class).orElse("(version unknown)");
            String fix = linksWithProdlike(e)
                    ? "\nprodlike does not link with this Flyway; it supports Flyway " + SupportedLibrary.FLYWAY.range()
                            + ". Fix: use a Flyway in that range; if yours is in it, please report this message."
                    : "\nA class the migrations (or Flyway) need is missing or of another version at run time."
                            + " Fix: add it to the test classpath as production has it.";
            throw new ExtensionConfigurationException(
                    "Migrating " + String.join(",", locations) + " with " + flyway + " failed (server: "
                            + server.description() + "): " + e + fix,
                    e);
        }
    }

    /** @return whether the error is about prodlike's own classes (compiled against another Flyway) */
    private static boolean linksWithProdlike(LinkageError e) {
        if (String.valueOf(e.getMessage()).contains("dev.prodlike")) {
            return true;
        }
        StackTraceElement[] stack = e.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().startsWith("dev.prodlike");
    }

    private static Result migrate(PgServer server, String database, List<String> locations, String role) {
        checkedFlywayVersion();
        long t0 = System.nanoTime();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Flyway flyway = Flyway.configure(loader == null ? Migrations.class.getClassLoader() : loader)
                .dataSource(server.jdbcUrl(database), server.ownerUser(), server.ownerPassword())
                .locations(locations.toArray(new String[0]))
                .failOnMissingLocations(true)
                .placeholders(Map.of("app_role", role))
                .loggers(FlywayLog.class.getName())
                .load();
        MigrationInfo[] pending;
        try {
            pending = flyway.info().pending();
        } catch (FlywayException e) {
            throw new ExtensionConfigurationException(
                    "Flyway cannot read the migrations at "
                            + String.join(",", locations) + ": " + e.getMessage()
                            + "\nFix: put the service's migrations there (e.g. src/main/resources/db/migration/V1__init.sql)"
                            + " or point postgres.migrations at them.",
                    e);
        }
        if (pending.length == 0) {
            throw new ExtensionConfigurationException("No migrations found at " + String.join(",", locations)
                    + " (the location exists but holds no V<version>__<name>.sql or Java migration).\n"
                    + "Fix: point postgres.migrations at the folder with the service's real migrations, e.g. "
                    + "postgres.migrations=classpath:db/migration.");
        }
        CRC32 crc = new CRC32();
        for (MigrationInfo m : pending) {
            crc.update((m.getVersion() + ":" + m.getScript() + ":" + m.getChecksum()).getBytes(StandardCharsets.UTF_8));
        }
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            String message =
                    e.getMessage() == null ? e.toString() : e.getMessage().trim();
            throw new ExtensionConfigurationException(
                    "A migration failed while preparing the template database"
                            + " (server: " + server.description() + ").\n" + withStatement(message)
                            + sqlStateLine(e) + "\nFix: if production runs this migration as it is, the test server"
                            + " differs from production's: compare postgres.version, postgres.extensions and the roles the"
                            + " migration expects to exist (prodlike creates the app role '" + role
                            + "' before migrating"
                            + " unless a migration creates it). If production would fail too, fix the migration.",
                    e);
        }
        return new Result(
                result.migrationsExecuted,
                Long.toHexString(crc.getValue()),
                (System.nanoTime() - t0) / 1_000_000,
                result.targetSchemaVersion);
    }

    /**
     * Flyway prints the failing statement only at debug level; read it from the file at the reported line instead.
     */
    static String withStatement(String message) {
        Matcher location = Pattern.compile("Location\\s*: .*?\\((.+)\\)").matcher(message);
        Matcher line = Pattern.compile("Line\\s*: (\\d+)").matcher(message);
        if (!location.find() || !line.find()) {
            return message;
        }
        try {
            List<String> lines = Files.readAllLines(Paths.get(location.group(1)));
            StringBuilder statement = new StringBuilder();
            for (int i = Integer.parseInt(line.group(1)) - 1; i < lines.size() && i < 200; i++) {
                statement
                        .append(statement.length() == 0 ? "" : " ")
                        .append(lines.get(i).trim());
                if (lines.get(i).trim().endsWith(";")) {
                    break;
                }
            }
            String sql = statement.toString().replaceAll(";$", "");
            return message.replaceAll(
                    "(?m)^Statement\\s*: Run Flyway with -X.*$", Matcher.quoteReplacement("Statement  : " + sql));
        } catch (IOException | RuntimeException ex) {
            return message;
        }
    }

    private static String sqlStateLine(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("SQL State")) {
            return "";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return "\nSQL State  : " + sql.getSQLState();
            }
        }
        return "";
    }
}
