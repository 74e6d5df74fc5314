package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The service's Liquibase changelog ({@code postgres.changelog}), applied with the service's own liquibase-core by
 * {@link LiquibaseMigrations}. This class touches no Liquibase type: it checks that the changelog and Liquibase are
 * there before anything loads Liquibase.
 *
 * @param path     the changelog's path on the test classpath, without {@code classpath:}, as Liquibase records it
 * @param contexts Liquibase contexts expression, or null
 * @param labels   Liquibase label filter expression, or null
 */
record LiquibaseChangelog(String path, String contexts, String labels) {

    /** What prodlike supports, for messages. */
    static final String SUPPORTED = "4.29 through 4.33";

    /**
     * @param profile the effective profile, with {@link ProductionProfile#POSTGRES_CHANGELOG} set
     * @return the changelog, checked: on the test classpath, with Liquibase beside it
     * @throws ExtensionConfigurationException when the changelog or Liquibase is missing
     */
    static LiquibaseChangelog from(ProductionProfile profile) {
        String value = profile.get(ProductionProfile.POSTGRES_CHANGELOG).orElseThrow();
        String origin = profile.origin(ProductionProfile.POSTGRES_CHANGELOG).orElse(ProductionProfile.FILE);
        String path = value.startsWith("classpath:") ? value.substring("classpath:".length()) : value;
        path = path.replaceAll("^/+", "");
        ClassLoader loader = loader();
        if (loader.getResource(path) == null) {
            throw new ExtensionConfigurationException("postgres.changelog=" + value + " (" + origin + ") names no"
                    + " file on the test classpath.\nFix: point it at the service's master changelog, e.g."
                    + " postgres.changelog=classpath:db/changelog/db.changelog-master.yaml (src/main/resources/db/"
                    + "changelog/db.changelog-master.yaml).");
        }
        try {
            Class.forName("liquibase.Scope", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ExtensionConfigurationException(
                    "postgres.changelog=" + value + " (" + origin + ") asks for"
                            + " Liquibase, but liquibase-core is not on the test classpath.\nFix: add the dependency"
                            + " production migrates with, org.liquibase:liquibase-core (" + SUPPORTED + "), to the test"
                            + " classpath; a Spring Boot service usually has it already.",
                    e);
        }
        return new LiquibaseChangelog(
                path,
                profile.get(ProductionProfile.POSTGRES_LIQUIBASE_CONTEXTS).orElse(null),
                profile.get(ProductionProfile.POSTGRES_LIQUIBASE_LABELS).orElse(null));
    }

    static ClassLoader loader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : LiquibaseChangelog.class.getClassLoader();
    }

    /** @return what is applied, for messages */
    String describe() {
        return "the changelog classpath:" + path;
    }

    /** @return what identifies the changelog's template (with the app role) */
    String key() {
        return "liquibase:" + path + "|contexts=" + contexts + "|labels=" + labels;
    }
}
