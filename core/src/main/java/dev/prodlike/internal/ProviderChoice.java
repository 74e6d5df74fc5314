package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
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
     * @return the choice
     * @throws ExtensionConfigurationException when docker is asked for and cannot be used
     */
    public static ProviderChoice resolve(ProductionProfile profile, String what, String dockerModule,
                                         String dockerClass, String embeddedNote) {
        boolean module = Docker.present(dockerClass);
        switch (profile.provider()) {
            case DOCKER: {
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
                return new ProviderChoice(Provider.DOCKER, "provider=docker");
            }
            case EMBEDDED:
                return new ProviderChoice(Provider.EMBEDDED, "provider=embedded");
            case EXTERNAL:
                return new ProviderChoice(Provider.EXTERNAL, "provider=external");
            default: {
                if (!module) {
                    return new ProviderChoice(Provider.EMBEDDED, "provider=auto: " + dockerModule
                            + " is not on the test classpath, so embedded");
                }
                Docker.Status docker = Docker.status();
                return docker.available() ? new ProviderChoice(Provider.DOCKER, "provider=auto: " + docker.reason())
                        : new ProviderChoice(Provider.EMBEDDED, "provider=auto: no Docker (" + docker.reason()
                        + "), so embedded");
            }
        }
    }
}
