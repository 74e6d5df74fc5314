package dev.prodlike.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.testcontainers.DockerClientFactory;

/**
 * What the Docker engine itself says a container publishes: read from the engine ({@code docker inspect}), not from
 * prodlike's own flags, so a test of "published on 127.0.0.1 only" fails when the code stops asking for it.
 */
public final class PublishedPorts {

    private PublishedPorts() {}

    /**
     * One published port as the engine reports it.
     *
     * @param source        {@code HostConfig} (what the container was created with) or {@code NetworkSettings}
     *                      (what the engine bound)
     * @param containerPort such as {@code 5432/tcp}
     * @param hostIp        the host address it is bound to; empty or {@code 0.0.0.0}/{@code ::} mean every interface
     * @param hostPort      the host port
     */
    public record Binding(String source, String containerPort, String hostIp, String hostPort) {
        @Override
        public String toString() {
            return source + " " + containerPort + " -> "
                    + (hostIp == null || hostIp.isEmpty() ? "<all interfaces>" : hostIp) + ":" + hostPort;
        }
    }

    /**
     * The bindings of the one container that publishes {@code hostPort} on this engine (a host port belongs to one
     * container at a time).
     *
     * @param hostPort the port a test connected to
     * @return every binding of that container, from its host config and its network settings
     * @throws AssertionError when no running container, or more than one, publishes that port
     */
    public static List<Binding> ofContainerPublishing(int hostPort) {
        DockerClient client = DockerClientFactory.instance().client();
        InspectContainerResponse inspected =
                client.inspectContainerCmd(idOfContainerPublishing(hostPort)).exec();
        List<Binding> result = new ArrayList<>();
        add(result, "HostConfig", inspected.getHostConfig().getPortBindings());
        add(result, "NetworkSettings", inspected.getNetworkSettings().getPorts());
        return result;
    }

    /**
     * A remote engine's container is published on every interface of the engine (its loopback is unreachable from
     * here), as the engine reports it: what the container was created with and what the engine bound.
     *
     * @param bindings the container's bindings, read from the engine while it ran
     */
    public static void assertPublishedOnAllInterfaces(List<Binding> bindings) {
        org.assertj.core.api.Assertions.assertThat(bindings)
                .as("the container's port bindings, read from the engine")
                .extracting(Binding::source)
                .contains("HostConfig", "NetworkSettings");
        org.assertj.core.api.Assertions.assertThat(bindings)
                .allSatisfy(b -> org.assertj.core.api.Assertions.assertThat(b.hostIp() == null ? "" : b.hostIp())
                        .as("%s", b)
                        .isIn("", "0.0.0.0", "::"));
    }

    /**
     * @param hostPort the port a test connected to
     * @return the id of the one running container that publishes it
     * @throws AssertionError when no running container, or more than one, publishes that port
     */
    public static String idOfContainerPublishing(int hostPort) {
        DockerClient client = DockerClientFactory.instance().client();
        List<Container> owners = new ArrayList<>();
        for (Container c : client.listContainersCmd().exec()) {
            for (ContainerPort p : c.getPorts()) {
                if (Objects.equals(p.getPublicPort(), hostPort)) {
                    owners.add(c);
                    break;
                }
            }
        }
        if (owners.size() != 1) {
            throw new AssertionError("Expecting exactly one running container to publish host port " + hostPort
                    + " but found "
                    + owners.stream()
                            .map(c -> c.getId().substring(0, 12) + " " + c.getImage())
                            .toList());
        }
        return owners.get(0).getId();
    }

    /**
     * @param id a container's id
     * @return whether the engine still has it, running or not
     */
    public static boolean exists(String id) {
        return !DockerClientFactory.instance()
                .client()
                .listContainersCmd()
                .withShowAll(true)
                .withIdFilter(List.of(id))
                .exec()
                .isEmpty();
    }

    private static void add(List<Binding> into, String source, Ports ports) {
        if (ports == null) {
            return;
        }
        for (Map.Entry<ExposedPort, Ports.Binding[]> e : ports.getBindings().entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            for (Ports.Binding b : e.getValue()) {
                into.add(new Binding(source, e.getKey().toString(), b.getHostIp(), b.getHostPortSpec()));
            }
        }
    }
}
