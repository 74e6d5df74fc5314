package dev.prodlike.redis.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.prodlike.internal.Docker;
import dev.prodlike.redis.internal.ClusterNodes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * A Redis Cluster in one container of the official {@code redis:<version>} image: one {@code redis-server} process
 * per master, each listening inside the container on the same port number it is published on.
 *
 * <p>Why one container with equal port numbers: cluster nodes tell clients where each slot lives (CLUSTER NODES,
 * {@code MOVED}), and the address they announce must work for both their peers and this JVM. Each node announces
 * 127.0.0.1 and its port ({@code cluster-announce-ip}); inside the container that reaches the node itself (the peers
 * share its network namespace, cluster bus included), and on the host the port is published on 127.0.0.1 under the
 * same number, so a client here reaches the same node. On a remote engine the nodes announce the engine's address and
 * the bus ports are published too, so peers reach each other through it.
 */
public final class DockerCluster implements ClusterNodes {

    private final GenericContainer<?> container;
    private final List<Node> nodes;
    private final String announce;
    private final Map<String, String> deliberate;
    private final long t0;
    private volatile long startMillis;

    private DockerCluster(
            GenericContainer<?> container, List<Node> nodes, String announce, Map<String, String> deliberate, long t0) {
        this.container = container;
        this.nodes = nodes;
        this.announce = announce;
        this.deliberate = deliberate;
        this.t0 = t0;
    }

    /**
     * The container's command: every node in the background, then {@code wait}, so the container runs while they do.
     *
     * @param ports    the nodes' ports, inside and outside the container
     * @param busOffset bus port = port + this
     * @param announce the address the nodes announce
     * @param settings settings of every node (fixed, then the profile's)
     * @return the shell script
     */
    public static String script(List<Integer> ports, int busOffset, String announce, Map<String, String> settings) {
        StringBuilder sh = new StringBuilder();
        for (int port : ports) {
            List<String> cmd = new ArrayList<>(List.of(
                    "redis-server",
                    "--port",
                    String.valueOf(port),
                    "--protected-mode",
                    "no",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes-" + port + ".conf",
                    "--cluster-announce-ip",
                    announce,
                    "--cluster-announce-port",
                    String.valueOf(port),
                    "--cluster-announce-bus-port",
                    String.valueOf(port + busOffset)));
            settings.forEach((k, v) -> {
                cmd.add("--" + k);
                cmd.add(v.equals("\"\"") ? "" : v);
            });
            for (String part : cmd) {
                sh.append('\'').append(part.replace("'", "'\\''")).append("' ");
            }
            sh.append("&\n");
        }
        return sh.append("wait\n").toString();
    }

    /**
     * Starts the container and waits until every node answers PING; the caller forms the cluster.
     *
     * @param version    Redis version (image tag)
     * @param ports      the nodes' client ports, free on this host
     * @param busOffset  bus port = port + this
     * @param settings   settings of every node
     * @param deliberate test-only settings for the report
     * @return the running nodes, not yet a cluster
     */
    public static DockerCluster start(
            String version,
            List<Integer> ports,
            int busOffset,
            Map<String, String> settings,
            Map<String, String> deliberate) {
        long t0 = System.nanoTime();
        boolean local = Docker.status().local();
        GenericContainer<?> probe = new GenericContainer<>(DockerRedis.image(version));
        String announce = local ? "127.0.0.1" : address(probe.getHost());
        GenericContainer<?> container = probe.withCommand("sh", "-c", script(ports, busOffset, announce, settings))
                // Readiness is a real PONG from every node through its published port (below).
                .waitingFor(new AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {}
                })
                .withStartupCheckStrategy(new StartupCheckStrategy() {
                    @Override
                    public StartupStatus checkStartupState(DockerClient client, String id) {
                        return StartupStatus.SUCCESSFUL;
                    }
                });
        container.withCreateContainerCmdModifier(cmd -> {
            HostConfig config = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
            List<PortBinding> bindings = new ArrayList<>();
            List<ExposedPort> exposed = new ArrayList<>();
            for (int port : ports) {
                List<Integer> published = local ? List.of(port) : List.of(port, port + busOffset);
                for (int p : published) {
                    bindings.add(new PortBinding(
                            local ? Ports.Binding.bindIpAndPort("127.0.0.1", p) : Ports.Binding.bindPort(p),
                            ExposedPort.tcp(p)));
                    exposed.add(ExposedPort.tcp(p));
                }
            }
            config.withPortBindings(bindings);
            cmd.withHostConfig(config);
            cmd.withExposedPorts(exposed);
        });
        container.start();
        String host = local ? "127.0.0.1" : announce;
        List<Node> nodes = new ArrayList<>();
        ports.forEach(p -> nodes.add(new Node(host, p)));
        DockerCluster cluster = new DockerCluster(container, List.copyOf(nodes), announce, deliberate, t0);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Node n : nodes) {
            String failure;
            while ((failure = DockerRedis.ping(n.host(), n.port())) != null) {
                if (!container.isRunning() || System.nanoTime() > deadline) {
                    String log = cluster.logs();
                    cluster.close();
                    throw new IllegalStateException("A Redis Cluster of redis:" + version + " (docker) did not start:"
                            + " node " + n + " did not answer PING (" + failure + ")\nServer log:\n  "
                            + log.replace("\n", "\n  "));
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cluster.close();
                    throw new IllegalStateException("interrupted while starting a Redis Cluster", e);
                }
            }
        }
        return cluster;
    }

    private static String address(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(
                    "The Docker engine's host " + host + " has no address the cluster nodes" + " could announce: "
                            + e.getMessage(),
                    e);
        }
    }

    /** @return the address the nodes announce and meet each other at */
    public String announce() {
        return announce;
    }

    /** Records the moment the cluster served every slot, for {@link #startMillis()}. */
    public void formed() {
        startMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    /** @return the container's log, or a note that it could not be read */
    public String logs() {
        try {
            return container.getLogs().strip();
        } catch (RuntimeException e) {
            return "(log unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public List<Node> nodes() {
        return nodes;
    }

    @Override
    public String description() {
        return "docker (image " + container.getDockerImageName() + "), " + nodes.size() + " masters";
    }

    @Override
    public String provider() {
        return "docker";
    }

    @Override
    public Map<String, String> deliberateSettings() {
        return deliberate;
    }

    @Override
    public long startMillis() {
        return startMillis;
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return description() + " on " + nodes;
    }
}
