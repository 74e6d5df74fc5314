package dev.prodlike.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.Provider;
import dev.prodlike.internal.Docker;
import dev.prodlike.testing.PublishedPorts;
import dev.prodlike.testing.RequiresRemoteDockerEngine;
import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis from a Docker engine that is not on this machine's loopback (CI starts one with {@code .ci/remote-docker}):
 * published on the engine's interfaces, reached at its address through the test's proxy, brought back on the same
 * port after an outage, and removed at the end without Ryuk. Runs only where DOCKER_HOST names such an engine.
 */
@ExtendWith(RequiresRemoteDockerEngine.class)
class RemoteDockerRedisTests {

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final List<PublishedPorts.Binding> BINDINGS = new CopyOnWriteArrayList<>();

    @RedisSession(provider = Provider.DOCKER)
    static class RemoteTestCase {
        @Test
        void works(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            InetSocketAddress target = redis.faults().network().target();
            SEEN.put("host", redis.host());
            SEEN.put("target", target.getHostString());
            SEEN.put("container", PublishedPorts.idOfContainerPublishing(target.getPort()));
            BINDINGS.addAll(PublishedPorts.ofContainerPublishing(target.getPort()));
            cmd.set("k", "v");
            assertThat(cmd.get("k")).isEqualTo("v");
            redis.faults().outage().close(); // the container stops and comes back, on the same port of the engine
            assertThat(cmd.get("k")).isNull();
            SEEN.put("after outage", cmd.ping());
        }
    }

    @Test
    void aContainerOnARemoteEngineIsPublishedOnItsInterfacesReachedAtItsAddressAndRemovedAfter() {
        SEEN.clear();
        BINDINGS.clear();
        String engine = RequiresRemoteDockerEngine.engineHost();

        TestKitEvents.assertAllSucceeded(RedisSessionTests.run(RemoteTestCase.class), 1);

        assertThat(Docker.status().local()).as(Docker.status().reason()).isFalse();
        assertThat(SEEN).containsEntry("host", "127.0.0.1").containsEntry("after outage", "PONG");
        assertThat(SEEN.get("target")).isEqualTo(engine);
        PublishedPorts.assertPublishedOnAllInterfaces(BINDINGS);
        assertThat(PublishedPorts.exists(SEEN.get("container")))
                .as("container %s still on the engine after its class", SEEN.get("container"))
                .isFalse();
    }
}
