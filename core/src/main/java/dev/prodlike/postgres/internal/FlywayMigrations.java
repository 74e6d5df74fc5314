package dev.prodlike.postgres.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The service's Flyway migrations ({@code postgres.migrations}), applied by {@link Migrations}.
 *
 * @param locations Flyway locations
 */
record FlywayMigrations(List<String> locations) implements Migrator {

    @Override
    public String describe() {
        return "the migrations at " + String.join(",", locations);
    }

    @Override
    public String key() {
        return locations.toString();
    }

    @Override
    public String fingerprint(String appRole, String extra) {
        return MigrationSource.fingerprint(locations, extra);
    }

    @Override
    public Migrations.Result apply(PgServer server, String database, String appRole) {
        return Migrations.apply(server, database, locations, appRole);
    }

    @Override
    public Set<String> historyTables() {
        return Set.of("flyway_schema_history");
    }

    @Override
    public Optional<String> creatorOf(String appRole) {
        return MigrationSource.creatorOf(locations, appRole);
    }
}
