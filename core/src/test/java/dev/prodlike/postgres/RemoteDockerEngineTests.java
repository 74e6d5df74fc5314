package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.Provider;
import dev.prodlike.internal.Docker;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.PublishedPorts;
import dev.prodlike.testing.RequiresRemoteDockerEngine;
import dev.prodlike.testing.TestKitEvents;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * PostgreSQL from a Docker engine that is not on this machine's loopback, as a team's remote engine or a CI's
 * Docker-in-Docker service is (CI starts one with {@code .ci/remote-docker}: dockerd in a network namespace of its
 * own, reached over TCP at its own address). The container must be published on the engine's interfaces (its
 * loopback is unreachable from here), reached at the engine's address, found by the test through its own proxy, and
 * removed at the end without Ryuk. Runs only where DOCKER_HOST names such an engine; CI requires that it ran.
 */
@ExtendWith(RequiresRemoteDockerEngine.class)
class RemoteDockerEngineTests {

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final List<PublishedPorts.Binding> BINDINGS = new CopyOnWriteArrayList<>();

    @ProductionLikeDatabase(provider = Provider.DOCKER)
    static class RemoteTestCase {
        @Test
        void runsOnTheRemoteEngine(DataSource app, TenantDatabase db) throws Exception {
            try (Connection c = app.getConnection();
                    ResultSet rs = c.createStatement().executeQuery("SELECT current_user")) {
                rs.next();
                SEEN.put("user", rs.getString(1));
            }
            SEEN.put("version", db.serverVersion());
            SEEN.put("url", db.jdbcUrl());
            InetSocketAddress target = db.faults().network().target();
            SEEN.put("target", target.getHostString());
            SEEN.put("container", PublishedPorts.idOfContainerPublishing(target.getPort()));
            BINDINGS.addAll(PublishedPorts.ofContainerPublishing(target.getPort()));
        }
    }

    @Test
    void aContainerOnARemoteEngineIsPublishedOnItsInterfacesReachedAtItsAddressAndRemovedAfter() throws Exception {
        SEEN.clear();
        BINDINGS.clear();
        String engine = RequiresRemoteDockerEngine.engineHost();

        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\npostgres.app-role=orders_app\npostgres.tenant-setting=app.current_tenant\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(RemoteTestCase.class))
                        .execute());

        TestKitEvents.assertAllSucceeded(results, 1);
        assertThat(SEEN).containsEntry("user", "orders_app").containsEntry("version", "16.4");
        assertThat(Docker.status().local()).as(Docker.status().reason()).isFalse();
        assertThat(Docker.status().reason())
                .contains("remote: ports published on all its interfaces, reached at " + engine);
        // the test's connections go through its proxy on this machine, which forwards to the engine's address
        assertThat(SEEN.get("url")).startsWith("jdbc:postgresql://127.0.0.1:");
        assertThat(SEEN.get("target")).isEqualTo(engine);
        // published on every interface of the engine, as the engine itself reports it, not on its loopback
        PublishedPorts.assertPublishedOnAllInterfaces(BINDINGS);
        // TESTCONTAINERS_RYUK_DISABLED=true here (a remote engine often cannot reach Ryuk): prodlike removed it
        assertThat(PublishedPorts.exists(SEEN.get("container")))
                .as("container %s still on the engine after its class", SEEN.get("container"))
                .isFalse();
    }
}
