package dev.prodlike.postgres.internal;

import java.util.Optional;
import java.util.Set;

/**
 * The tool the service migrates with in production, Flyway ({@link FlywayMigrations}) or Liquibase
 * ({@link LiquibaseChangelog}): the template is migrated with the same one, and cached under a fingerprint of
 * everything it reads.
 */
interface Migrator {

    /** @return what is applied, for messages, e.g. {@code the migrations at classpath:db/migration} */
    String describe();

    /** @return what identifies the migrations of a template: same key (and app role), same template */
    String key();

    /**
     * @param appRole the app role the migrations are applied for (a placeholder or changelog parameter)
     * @param extra   anything else the migrated result depends on
     * @return a hex fingerprint of every file the migrations read, computed without a database, or null when they
     *     cannot be read this way (then nothing is cached)
     */
    String fingerprint(String appRole, String extra);

    /**
     * Applies the migrations as the owner.
     *
     * @param server   the server
     * @param database the template database, empty
     * @param appRole  the app role
     * @return what was applied
     */
    Migrations.Result apply(PgServer server, String database, String appRole);

    /** @return the tables the tool keeps its history in: production has them too, but they are not the service's */
    Set<String> historyTables();

    /**
     * @param appRole the app role
     * @return the migration that creates the app role itself, as production runs it, when one does: prodlike then
     *         does not create the role first
     */
    Optional<String> creatorOf(String appRole);
}
