package dev.prodlike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.testing.ProfileOverride;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

class ProductionProfileTests {

    private static ProductionProfile load(String file, Properties system) throws Exception {
        return ProfileOverride.with(
                file, () -> ProductionProfile.load(Thread.currentThread().getContextClassLoader(), system));
    }

    @Test
    void annotationOverridesFileAndSystemPropertyOverridesBoth() throws Exception {
        Properties system = new Properties();
        system.setProperty("prodlike.postgres.app-role", "from_system");
        ProductionProfile profile = load(
                        "postgres.version=16.4\npostgres.app-role=from_file\n"
                                + "postgres.migrations=classpath:db/migration\n",
                        system)
                .withOverrides(
                        Map.of(
                                "postgres.version",
                                "17.2",
                                "postgres.app-role",
                                "from_annotation",
                                "postgres.migrations",
                                ""),
                        "@ProductionLikeDatabase on X");

        assertThat(profile.get("postgres.version")).contains("17.2");
        assertThat(profile.origin("postgres.version")).contains("@ProductionLikeDatabase on X");
        assertThat(profile.get("postgres.app-role")).contains("from_system");
        assertThat(profile.origin("postgres.app-role")).contains("-Dprodlike.postgres.app-role");
        assertThat(profile.get("postgres.migrations")).contains("classpath:db/migration");
        assertThat(profile.origin("postgres.migrations")).contains("prodlike.properties");
    }

    @Test
    void unknownKeyNamesTheKeyTheFileAndTheLikelyMeaning() {
        assertThatThrownBy(() -> load("postgres.verison=16.4\n", new Properties()))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith(
                        "Unknown key 'postgres.verison' in prodlike.properties (memory:/prodlike.properties).")
                .hasMessageContaining("Did you mean 'postgres.version'?");
    }

    @Test
    void errorsNameTheSourceFileTheUserEditsNotTheBuildCopy(@org.junit.jupiter.api.io.TempDir Path module)
            throws Exception {
        Path source = module.resolve("src/test/resources/prodlike.properties");
        Path copy = module.resolve("target/test-classes/prodlike.properties");
        for (Path p : new Path[] {source, copy}) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "postgres.verison=16.4\n");
        }
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {copy.getParent().toUri().toURL()}, null)) {
            assertThatThrownBy(() -> ProductionProfile.load(loader, new Properties()))
                    .hasMessageStartingWith("Unknown key 'postgres.verison' in prodlike.properties (" + source
                            + ", copied to target/test-classes).");
        }
        Files.delete(source);
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {copy.getParent().toUri().toURL()}, null)) {
            assertThatThrownBy(() -> ProductionProfile.load(loader, new Properties()))
                    .hasMessageStartingWith("Unknown key 'postgres.verison' in prodlike.properties (" + copy
                            + ", a build copy: edit the source, normally src/test/resources/prodlike.properties).");
        }
    }

    @Test
    void unknownSystemPropertyKeyIsAnErrorToo() {
        Properties system = new Properties();
        system.setProperty("prodlike.postgres.flavour", "x");
        assertThatThrownBy(() -> load("", system))
                .hasMessageStartingWith(
                        "Unknown key 'postgres.flavour' in system property -Dprodlike.postgres.flavour.");
    }

    @Test
    void malformedVersionSaysWhatIsExpected() {
        assertThatThrownBy(() -> load("postgres.version=16\n", new Properties()))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage(
                        "Malformed value in prodlike.properties (memory:/prodlike.properties): postgres.version=16\n"
                                + "  postgres.version must be an exact PostgreSQL version, major.minor such as 16.4 (the minor"
                                + " matters: production runs one).");
    }

    @Test
    void invalidAppRoleIsRejectedWithTheRule() {
        assertThatThrownBy(() -> load("postgres.app-role=Orders-App\n", new Properties()))
                .hasMessageContaining("postgres.app-role=Orders-App")
                .hasMessageContaining("must be a lower-case SQL identifier such as orders_app");
    }

    @Test
    void malformedProviderDriftAndSettingsAreRejected() {
        assertThatThrownBy(() -> load("provider=kubernetes\n", new Properties()))
                .hasMessageContaining("provider must be one of auto, docker, embedded, external");
        assertThatThrownBy(() -> load("drift=ignore\n", new Properties()))
                .hasMessageContaining("drift must be fail or warn");
        assertThatThrownBy(() -> load("postgres.port=99999\n", new Properties()))
                .hasMessageContaining("postgres.port must be a number from 1 to 65535");
        assertThatThrownBy(() -> load("postgres.migrations=s3:bucket/migrations\n", new Properties()))
                .hasMessageContaining("must be Flyway locations with classpath: or filesystem:");
    }

    @Test
    void trailingCommentsAsInTheDesignAreAllowed() throws Exception {
        ProductionProfile profile = load(
                "postgres.version=16.4                     # exact production version\n"
                        + "provider=auto    # auto | docker | embedded | external\n",
                new Properties());
        assertThat(profile.get("postgres.version")).contains("16.4");
        assertThat(profile.provider()).isEqualTo(Provider.AUTO);
    }

    @Test
    void missingRequiredKeyShowsTheLineToAdd() throws Exception {
        ProductionProfile profile = load("provider=embedded\n", new Properties());
        assertThatThrownBy(() -> profile.require(ProductionProfile.POSTGRES_VERSION, "16.4"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("The production profile does not declare postgres.version")
                .hasMessageContaining(
                        "Add the line\n  postgres.version=16.4\nto src/test/resources/prodlike.properties");
    }

    @Test
    void settingsAndListsAreReadByPrefix() throws Exception {
        ProductionProfile profile = load(
                "postgres.settings.timezone=UTC\npostgres.settings.work_mem=64MB\n"
                        + "postgres.extensions=pgcrypto, citext\n",
                new Properties());
        assertThat(profile.withPrefix(ProductionProfile.POSTGRES_SETTINGS_PREFIX))
                .containsExactly(Map.entry("timezone", "UTC"), Map.entry("work_mem", "64MB"));
        assertThat(ProductionProfile.list(
                        profile.get(ProductionProfile.POSTGRES_EXTENSIONS).orElseThrow()))
                .containsExactly("pgcrypto", "citext");
    }

    @Test
    void durationsInShortAndIsoForm() {
        assertThat(ProductionProfile.parseDuration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(ProductionProfile.parseDuration("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(ProductionProfile.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> ProductionProfile.parseDuration("soon"))
                .hasMessageContaining("must be a duration such as 15m");
    }

    @Test
    void noFileMeansAnEmptyProfile() throws Exception {
        ProductionProfile profile = ProfileOverride.with(
                "", () -> ProductionProfile.load(Thread.currentThread().getContextClassLoader(), new Properties()));
        assertThat(profile.asMap()).isEmpty();
        assertThat(profile.provider()).isEqualTo(Provider.AUTO);
        assertThat(profile.driftWarnOnly()).isFalse();
    }

    @Test
    void aModuleDeclaresItsOwnKeysThroughTheSpiWithoutTouchingCore() throws Exception {
        // KafkaTestKeys lives in this test source set and is registered in META-INF/services, as a module would.
        ProductionProfile profile = load(
                "postgres.version=16.4\nkafka.version=3.7\n" + "kafka.settings.num.partitions=3\n", new Properties());
        assertThat(profile.get("kafka.version")).contains("3.7");
        assertThat(profile.withPrefix("kafka.settings.")).containsExactly(Map.entry("num.partitions", "3"));

        assertThatThrownBy(() -> load("kafka.version=three\n", new Properties()))
                .hasMessage(
                        "Malformed value in prodlike.properties (memory:/prodlike.properties): kafka.version=three\n"
                                + "  kafka.version must be a Kafka version such as 3.7.");
        assertThatThrownBy(() -> load("kafka.verison=3.7\n", new Properties()))
                .hasMessageContaining("Did you mean 'kafka.version'?")
                .hasMessageContaining("kafka.settings.<name>");
    }

    @Test
    void aKeyOfAModuleThatIsNotOnTheClasspathSaysToAddTheModule() {
        // prodlike-redis-support is not a dependency of core's tests.
        assertThatThrownBy(() -> load("redis.version=7.0\n", new Properties()))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith(
                        "Unknown key 'redis.version' in prodlike.properties (memory:/prodlike.properties).\n"
                                + "No prodlike module on the test classpath declares 'redis.*' keys: if this line is for a"
                                + " prodlike module, add that module as a test dependency; otherwise remove the line.\n");
    }
}
