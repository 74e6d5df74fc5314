package dev.prodlike.postgres;

import dev.prodlike.Provider;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link NetworkFaultsTests} on the Docker provider: the proxy sits in front of the container's published port. */
@ProductionLikeDatabase(provider = Provider.DOCKER)
@ExtendWith(DockerProviderTests.RequiresDocker.class)
class DockerNetworkFaultsTests extends NetworkFaultsTests {
    @Override
    String provider() {
        return "docker";
    }
}
