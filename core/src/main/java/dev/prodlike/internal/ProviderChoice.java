package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The provider a server comes from, resolved from the profile the same way for every kind of server.
 *
 * @param provider DOCKER, EMBEDDED or EXTERNAL (never AUTO)
 * @param why      why, for messages and the report
 */
public record ProviderChoice(Provider provider, String why) {

    /**
     * @param profile       the effective profile
     * @param what          the server, e.g. {@code PostgreSQL 16.4}
     * @param dockerModule  the Testcontainers artifact the docker provider needs for it
     * @param dockerClass   a class of that artifact, to tell whether it is on the test classpath
     * @param embeddedNote  what provider=embedded runs, for the fix line
     * @param image         the image the docker provider would run, such as {@code postgres:16.4}
     * @return the choice
     * @throws ExtensionConfigurationException when docker is asked for and cannot be used
     */
    public static ProviderChoice resolve(
            ProductionProfile profile,
            String what,
            String dockerModule,
            String dockerClass,
            String embeddedNote,
            String image) {
        boolean module = Docker.present(dockerClass);
        Duration pullTimeout = profile.get(ProductionProfile.DOCKER_PULL_TIMEOUT)
                .map(ProductionProfile::parseDuration)
                .orElse(Docker.DEFAULT_PULL_TIMEOUT);
        return switch (profile.provider()) {
            case DOCKER -> {
                Docker.Status docker = Docker.status();
                if (!module) {
                    throw new ExtensionConfigurationException("provider=docker was asked for ("
                            + profile.origin(ProductionProfile.PROVIDER).orElse("profile") + "), but " + dockerModule
                            + " is not on the test classpath, so Docker cannot be used for " + what + ".\nFix: add "
                            + dockerModule + " as a test dependency, or use provider=embedded, " + embeddedNote + ".");
                }
                if (!docker.available()) {
                    throw new ExtensionConfigurationException("provider=docker was asked for ("
                            + profile.origin(ProductionProfile.PROVIDER).orElse("profile") + "), but Docker cannot"
                            + " be used for " + what + ": " + docker.reason() + ".\nTried: Testcontainers' Docker"
                            + " detection.\nFix: start a Docker engine (or set DOCKER_HOST) and add " + dockerModule
                            + " as a test dependency, or use provider=embedded, " + embeddedNote + ".");
                }
                Docker.Status img = Docker.image(image, pullTimeout);
                if (!img.available()) {
                    throw new ExtensionConfigurationException("provider=docker was asked for ("
                            + profile.origin(ProductionProfile.PROVIDER).orElse("profile") + "), but Docker cannot"
                            + " be used for " + what + ": " + img.reason() + ".\nTried: the engine Testcontainers found"
                            + " (" + docker.reason() + "); image " + img.missingImage()
                            + " locally, then a pull bounded"
                            + " by " + ProductionProfile.DOCKER_PULL_TIMEOUT + ".\n" + imageFix(img, embeddedNote));
                }
                yield new ProviderChoice(Provider.DOCKER, "provider=docker: " + img.reason());
            }
            case EMBEDDED -> new ProviderChoice(Provider.EMBEDDED, "provider=embedded");
            case EXTERNAL -> new ProviderChoice(Provider.EXTERNAL, "provider=external");
            case AUTO, FROM_PROFILE -> {
                if (!module) {
                    yield new ProviderChoice(
                            Provider.EMBEDDED,
                            "provider=auto: " + dockerModule + " is not on the test classpath, so embedded");
                }
                Docker.Status docker = Docker.status();
                if (!docker.available()) {
                    yield new ProviderChoice(
                            Provider.EMBEDDED, "provider=auto: no Docker (" + docker.reason() + "), so embedded");
                }
                Docker.Status img = Docker.image(image, pullTimeout);
                if (img.available()) {
                    yield new ProviderChoice(
                            Provider.DOCKER, "provider=auto: " + docker.reason() + "; " + img.reason());
                }
                String why = "provider=auto: a Docker engine answers, but " + img.reason() + " (checked in "
                        + img.millis() + " ms), so embedded";
                if (TOLD.add(what + why)) {
                    System.out.println("prodlike: " + what + " from the embedded provider, not Docker: " + img.reason()
                            + ". " + imageFix(img, embeddedNote).replace("\n", " "));
                }
                yield new ProviderChoice(Provider.EMBEDDED, why);
            }
        };
    }

    private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();

    private static String imageFix(Docker.Status img, String embeddedNote) {
        String missing = img.missingImage();
        boolean ryuk = img.reason().startsWith("Testcontainers' helper image");
        return "Fix: pull it where a registry is reachable (docker pull " + missing + "), or mirror it and name the"
                + " mirror in ~/.testcontainers.properties (hub.image.name.prefix=<your-registry>/mirror/)"
                + (ryuk ? ", or run without Ryuk (TESTCONTAINERS_RYUK_DISABLED=true)" : "")
                + ", or use provider=embedded, " + embeddedNote + ".";
    }
}
