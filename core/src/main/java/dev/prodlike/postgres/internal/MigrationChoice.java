package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Which tool the service migrates with, decided from the profile: {@code postgres.migrations} (Flyway) or
 * {@code postgres.changelog} (Liquibase), never both; with neither, Flyway's {@code classpath:db/migration} when it is
 * there, else an error that names both keys.
 */
final class MigrationChoice {

    /** Flyway's default location, used when the profile names neither tool. */
    static final String FLYWAY_DEFAULT = "classpath:db/migration";
    /** Where Spring Boot looks for a Liquibase changelog by default; named in the error when neither key is set. */
    private static final String BOOT_CHANGELOG = "db/changelog/db.changelog-master.yaml";

    private MigrationChoice() {}

    /**
     * @param profile the effective profile
     * @return the checked Liquibase changelog, or null when the service migrates with Flyway
     * @throws ExtensionConfigurationException when both keys are set, Liquibase keys come without a changelog, or
     *                                         the changelog or Liquibase is missing
     */
    static LiquibaseChangelog changelog(ProductionProfile profile) {
        Optional<String> migrations = profile.get(ProductionProfile.POSTGRES_MIGRATIONS);
        Optional<String> changelog = profile.get(ProductionProfile.POSTGRES_CHANGELOG);
        if (migrations.isPresent() && changelog.isPresent()) {
            throw new ExtensionConfigurationException("Both postgres.migrations=" + migrations.get() + " ("
                    + origin(profile, ProductionProfile.POSTGRES_MIGRATIONS) + ", Flyway) and postgres.changelog="
                    + changelog.get() + " (" + origin(profile, ProductionProfile.POSTGRES_CHANGELOG) + ", Liquibase)"
                    + " are set, but production migrates with one tool.\nFix: keep the key of the tool production"
                    + " runs and remove the other.");
        }
        if (changelog.isEmpty()) {
            for (String key : List.of(
                    ProductionProfile.POSTGRES_LIQUIBASE_CONTEXTS, ProductionProfile.POSTGRES_LIQUIBASE_LABELS)) {
                if (profile.get(key).isPresent()) {
                    throw new ExtensionConfigurationException(key + "="
                            + profile.get(key).get() + " ("
                            + origin(profile, key) + ") applies to a Liquibase changelog, but postgres.changelog is"
                            + " not set.\nFix: set postgres.changelog=classpath:<the master changelog>, or remove "
                            + key + ".");
                }
            }
            return null;
        }
        LiquibaseChangelog checked = LiquibaseChangelog.from(profile);
        LiquibaseMigrations.requireSupportedVersion(); // Liquibase is on the classpath: from() checked
        return checked;
    }

    /**
     * @param profile the effective profile, without {@code postgres.changelog}
     * @return Flyway locations: {@code postgres.migrations}, or the default when it is on the test classpath
     * @throws ExtensionConfigurationException when neither key is set and the default location is not there
     */
    static List<String> flywayLocations(ProductionProfile profile) {
        Optional<String> migrations = profile.get(ProductionProfile.POSTGRES_MIGRATIONS);
        if (migrations.isPresent()) {
            return ProductionProfile.list(migrations.get());
        }
        ClassLoader loader = LiquibaseChangelog.loader();
        String folder = FLYWAY_DEFAULT.substring("classpath:".length());
        try {
            if (loader.getResources(folder).hasMoreElements()) {
                return List.of(FLYWAY_DEFAULT);
            }
        } catch (IOException e) {
            return List.of(FLYWAY_DEFAULT); // Flyway reports what it cannot read
        }
        boolean bootChangelog = loader.getResource(BOOT_CHANGELOG) != null;
        throw new ExtensionConfigurationException("Neither postgres.migrations (Flyway) nor postgres.changelog"
                + " (Liquibase) is set in " + profile.fileDescription() + ", and Flyway's default location "
                + FLYWAY_DEFAULT + " is not on the test classpath.\n"
                + (bootChangelog ? "A Liquibase changelog is at classpath:" + BOOT_CHANGELOG + ". " : "")
                + "Fix: declare what production migrates with, e.g. postgres.changelog=classpath:" + BOOT_CHANGELOG
                + " (Liquibase) or postgres.migrations=classpath:db/migration (Flyway).");
    }

    private static String origin(ProductionProfile profile, String key) {
        return profile.origin(key).orElse(ProductionProfile.FILE);
    }
}
