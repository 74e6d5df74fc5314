package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import dev.prodlike.internal.ProviderChoice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What one test class asked for, resolved from the profile, annotation attributes and system properties.
 *
 * @param profile       the effective profile
 * @param version       exact PostgreSQL version
 * @param provider      the provider to use (never AUTO or FROM_PROFILE)
 * @param providerWhy   why that provider (for messages and the report)
 * @param locations     Flyway locations (empty when the service migrates with Liquibase)
 * @param changelog     the Liquibase changelog, or null when the service migrates with Flyway
 * @param appRole       application role
 * @param appPassword   its password, or null
 * @param tenantSetting tenant setting, or null when undeclared
 * @param extensions    extensions production has
 * @param settings      server settings production pins
 * @param prefetch      clones kept ready
 */
public record PgSettings(
        ProductionProfile profile,
        String version,
        Provider provider,
        String providerWhy,
        List<String> locations,
        LiquibaseChangelog changelog,
        String appRole,
        String appPassword,
        String tenantSetting,
        List<String> extensions,
        Map<String, String> settings,
        int prefetch) {

    /** Default Flyway location when the profile names none. */
    public static final String DEFAULT_MIGRATIONS = MigrationChoice.FLYWAY_DEFAULT;
    /** Default app role when the profile names none. */
    public static final String DEFAULT_APP_ROLE = "app";

    /**
     * @param profile the effective profile
     * @return the resolved settings
     * @throws ExtensionConfigurationException when something required is missing or a provider is unusable
     */
    public static PgSettings from(ProductionProfile profile) {
        return from(profile, 1);
    }

    /**
     * @param profile     the effective profile
     * @param parallelism how many tests JUnit runs at once; without {@code postgres.prefetch}, twice that many
     *                    clones (at least 3) are kept ready, so a burst of parallel tests does not drain the pool
     * @return the resolved settings
     */
    public static PgSettings from(ProductionProfile profile, int parallelism) {
        String version = profile.require(ProductionProfile.POSTGRES_VERSION, "16.4");
        ProviderChoice choice = ProviderChoice.resolve(
                profile,
                "PostgreSQL " + version,
                "org.testcontainers:testcontainers",
                "org.testcontainers.containers.GenericContainer",
                "which needs nothing but the JDK and Maven",
                "postgres:" + version);
        Provider provider = choice.provider();
        String why = choice.why();
        String tenant = profile.get(ProductionProfile.POSTGRES_TENANT_SETTING).orElse(null);
        LiquibaseChangelog changelog = MigrationChoice.changelog(profile);
        return new PgSettings(
                profile,
                version,
                provider,
                why,
                changelog != null ? List.of() : MigrationChoice.flywayLocations(profile),
                changelog,
                profile.get(ProductionProfile.POSTGRES_APP_ROLE, DEFAULT_APP_ROLE),
                profile.get(ProductionProfile.POSTGRES_APP_PASSWORD).orElse(null),
                tenant,
                ProductionProfile.list(profile.get(ProductionProfile.POSTGRES_EXTENSIONS, "")),
                profile.withPrefix(ProductionProfile.POSTGRES_SETTINGS_PREFIX),
                profile.get(ProductionProfile.POSTGRES_PREFETCH)
                        .map(Integer::parseInt)
                        .orElse(Math.max(3, 2 * parallelism)));
    }

    /** @return what identifies the server: same key, same shared server */
    String serverKey() {
        // Everything the drift check compares is part of the key, so each combination is checked once.
        return provider + "|" + version + "|" + settings + "|" + extensions + "|" + profile.driftWarnOnly() + "|"
                + profile.get(ProductionProfile.POSTGRES_URL, "") + "|"
                + profile.get(ProductionProfile.POSTGRES_PORT, "")
                + "|" + profile.get(ProductionProfile.POSTGRES_OWNER_USER, "");
    }

    /** @return the tool and migrations production uses: Liquibase's changelog or Flyway's locations */
    Migrator migrator() {
        return changelog != null ? new LiquibaseMigrations(changelog) : new FlywayMigrations(locations);
    }

    /** @return fingerprint of the migration files plus what else shapes the migrated database, or null */
    String migrationsFingerprint() {
        return migrator().fingerprint(appRole, "role=" + appRole + ";prodlike-template-v2");
    }

    /** @return what identifies a template on a server */
    String templateKey() {
        return migrator().key() + "|" + appRole;
    }
}
