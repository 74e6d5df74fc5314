package dev.prodlike.redis.internal.docker;

import dev.prodlike.internal.ProvidedServer;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.prodlike.redis.internal.RedisServer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis in Docker through Testcontainers: the official {@code redis:<version>} image, its port published on
 * 127.0.0.1 only, on a host port fixed at start so an outage can bring the same container back on the same port. The
 * only class that touches Testcontainers types; loaded only when the docker provider is chosen.
 */
public final class DockerRedis extends ProvidedServer implements RedisServer {

    /** Port inside the container. */
    public static final int CONTAINER_PORT = 6379;

    private final GenericContainer<?> container;
    private final int hostPort;

    private DockerRedis(GenericContainer<?> container, int hostPort, long startMillis,
                        Map<String, String> deliberate) {
        super("docker", true, deliberate, startMillis);
        this.container = container;
        this.hostPort = hostPort;
    }

    /**
     * @param version such as {@code 7.0} or {@code 7.0.15}
     * @return the image, {@code redis:<version>}, never {@code latest}
     */
    public static DockerImageName image(String version) {
        return DockerImageName.parse("redis").withTag(version);
    }

    /**
     * The server command: fixed settings first, then what the profile declares (which wins). Inside the container
     * redis listens on all interfaces with protected mode off, because connections arrive through Docker's bridge;
     * the published port is bound to 127.0.0.1 on the host.
     *
     * @param fixed    settings every server prodlike starts gets
     * @param declared settings of the profile
     * @return {@code redis-server --k v ...}
     */
    public static List<String> command(Map<String, String> fixed, Map<String, String> declared) {
        Map<String, String> all = new LinkedHashMap<>(fixed);
        all.putAll(declared);
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(CONTAINER_PORT),
                "--protected-mode", "no"));
        all.forEach((k, v) -> {
            cmd.add("--" + k);
            cmd.add(v.equals("\"\"") ? "" : v);   // save="" in the profile means an empty value
        });
        return cmd;
    }

    /**
     * Starts a container.
     *
     * @param version   Redis version (image tag)
     * @param fixed     settings every server prodlike starts gets
     * @param declared  {@code redis.settings.*}
     * @param hostPort  the 127.0.0.1 port to publish on
     * @param deliberate test-only settings for the report
     * @return the running server
     */
    public static DockerRedis start(String version, Map<String, String> fixed, Map<String, String> declared,
                                    int hostPort, Map<String, String> deliberate) {
        long t0 = System.nanoTime();
        GenericContainer<?> container = new GenericContainer<>(image(version))
                .withExposedPorts(CONTAINER_PORT)
                .withCommand(command(fixed, declared).toArray(new String[0]))
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
        container.withCreateContainerCmdModifier(cmd -> {
            HostConfig host = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
            host.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                    ExposedPort.tcp(CONTAINER_PORT)));
            cmd.withHostConfig(host);
        });
        container.start();
        return new DockerRedis(container, hostPort, (System.nanoTime() - t0) / 1_000_000, deliberate);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return hostPort;
    }

    @Override
    public String description() {
        return "docker (image " + container.getDockerImageName() + ")";
    }





    @Override
    public void stopForOutage() {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(5).exec();
    }

    @Override
    public void restart() {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return description() + " on 127.0.0.1:" + hostPort;
    }
}
