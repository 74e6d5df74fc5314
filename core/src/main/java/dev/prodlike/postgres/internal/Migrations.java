package dev.prodlike.postgres.internal;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import java.sql.SQLException;
import java.util.List;
import java.util.zip.CRC32;

/** Applies the service's real Flyway migrations to a template database, as the owner. */
final class Migrations {

    /** Outcome: how many migrations, a checksum over them, and how long it took. */
    record Result(int applied, String checksum, long millis, String lastVersion) {
    }

    private Migrations() {
    }

    static Result apply(PgServer server, String database, List<String> locations, String role) {
        long t0 = System.nanoTime();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Flyway flyway = Flyway.configure(loader == null ? Migrations.class.getClassLoader() : loader)
                .dataSource(server.jdbcUrl(database), server.ownerUser(), server.ownerPassword())
                .locations(locations.toArray(new String[0]))
                .failOnMissingLocations(true)
                .placeholders(java.util.Map.of("app_role", role))
                .loggers(FlywayLog.class.getName())
                .load();
        MigrationInfo[] pending;
        try {
            pending = flyway.info().pending();
        } catch (FlywayException e) {
            throw new ExtensionConfigurationException("Flyway cannot read the migrations at "
                    + String.join(",", locations) + ": " + e.getMessage()
                    + "\nFix: put the service's migrations there (e.g. src/main/resources/db/migration/V1__init.sql)"
                    + " or point postgres.migrations at them.", e);
        }
        if (pending.length == 0) {
            throw new ExtensionConfigurationException("No migrations found at " + String.join(",", locations)
                    + " (the location exists but holds no V<version>__<name>.sql or Java migration).\n"
                    + "Fix: point postgres.migrations at the folder with the service's real migrations, e.g. "
                    + "postgres.migrations=classpath:db/migration.");
        }
        CRC32 crc = new CRC32();
        for (MigrationInfo m : pending) {
            crc.update((m.getVersion() + ":" + m.getScript() + ":" + m.getChecksum()).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().trim();
            throw new ExtensionConfigurationException("A migration failed while preparing the template database"
                    + " (server: " + server.description() + ").\n" + withStatement(message)
                    + sqlStateLine(e) + "\nFix the migration: it is the file production runs.", e);
        }
        return new Result(result.migrationsExecuted, Long.toHexString(crc.getValue()),
                (System.nanoTime() - t0) / 1_000_000, result.targetSchemaVersion);
    }

    /**
     * Flyway prints the failing statement only at debug level; read it from the file at the reported line instead.
     */
    static String withStatement(String message) {
        java.util.regex.Matcher location = java.util.regex.Pattern.compile("Location\\s*: .*?\\((.+)\\)")
                .matcher(message);
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("Line\\s*: (\\d+)").matcher(message);
        if (!location.find() || !line.find()) {
            return message;
        }
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Paths.get(location.group(1)));
            StringBuilder statement = new StringBuilder();
            for (int i = Integer.parseInt(line.group(1)) - 1; i < lines.size() && i < 200; i++) {
                statement.append(statement.length() == 0 ? "" : " ").append(lines.get(i).trim());
                if (lines.get(i).trim().endsWith(";")) {
                    break;
                }
            }
            String sql = statement.toString().replaceAll(";$", "");
            return message.replaceAll("(?m)^Statement\\s*: Run Flyway with -X.*$",
                    java.util.regex.Matcher.quoteReplacement("Statement  : " + sql));
        } catch (java.io.IOException | RuntimeException ex) {
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
