package dev.prodlike.redis;

import dev.prodlike.Provider;

/** {@link NetworkFaultsTests} on the Docker provider: the proxy sits in front of the container's published port. */
@RedisSession(provider = Provider.DOCKER)
@DockerRedisTests.EnabledIfDockerAvailable
class DockerNetworkFaultsTests extends NetworkFaultsTests {
    @Override
    String provider() {
        return "docker";
    }
}
