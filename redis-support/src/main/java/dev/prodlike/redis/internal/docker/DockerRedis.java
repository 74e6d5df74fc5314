package dev.prodlike.redis.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.prodlike.internal.Docker;
import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.redis.internal.RedisServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Redis in Docker through Testcontainers: the official {@code redis:<version>} image, its port published on
 * 127.0.0.1 only when the engine is local (on a remote engine, on its interfaces, reached at the host Testcontainers
 * reports), on a host port fixed at start so an outage can bring the same container back on the same port. The
 * only class that touches Testcontainers types; loaded only when the docker provider is chosen.
 */
public final class DockerRedis extends ProvidedServer implements RedisServer {

    /** Port inside the container. */
    public static final int CONTAINER_PORT = 6379;

    private final GenericContainer<?> container;
    private final int hostPort;
    private final String host;

    private DockerRedis(
            GenericContainer<?> container,
            int hostPort,
            String host,
            long startMillis,
            Map<String, String> deliberate) {
        super("docker", true, deliberate, startMillis);
        this.container = container;
        this.hostPort = hostPort;
        this.host = host;
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
        List<String> cmd = new ArrayList<>(
                List.of("redis-server", "--port", String.valueOf(CONTAINER_PORT), "--protected-mode", "no"));
        all.forEach((k, v) -> {
            cmd.add("--" + k);
            cmd.add(v.equals("\"\"") ? "" : v); // save="" in the profile means an empty value
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
    public static DockerRedis start(
            String version,
            Map<String, String> fixed,
            Map<String, String> declared,
            int hostPort,
            Map<String, String> deliberate) {
        long t0 = System.nanoTime();
        GenericContainer<?> container = new GenericContainer<>(image(version))
                .withCommand(command(fixed, declared).toArray(new String[0]))
                // Readiness is a real PONG through the published port (below), not a log line or an accepted
                // connection; a container that exits (a setting the server rejects) is reported with its log.
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
        boolean local = Docker.status().local();
        container.withCreateContainerCmdModifier(cmd -> {
            HostConfig config = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
            // A remote engine's loopback is unreachable from here: publish on its interfaces instead.
            config.withPortBindings(new PortBinding(
                    local ? Ports.Binding.bindIpAndPort("127.0.0.1", hostPort) : Ports.Binding.bindPort(hostPort),
                    ExposedPort.tcp(CONTAINER_PORT)));
            cmd.withHostConfig(config);
            // Exposed and published here rather than through Testcontainers, which would wait for a mapped port
            // and give up without the server's log when redis-server exits at once (a setting it rejects).
            cmd.withExposedPorts(ExposedPort.tcp(CONTAINER_PORT));
        });
        try {
            container.start();
        } catch (RuntimeException e) {
            // Testcontainers gives up when the container exits at once (no published port): report the server's log.
            String log = logsOf(container);
            container.stop();
            if (log == null) {
                throw e;
            }
            throw new StartFailure(
                    "Redis " + version + " (docker, image " + image(version) + ") did not start:"
                            + " the server process exited\nServer log:\n  " + log.replace("\n", "\n  "),
                    log);
        }
        DockerRedis server = new DockerRedis(
                container,
                hostPort,
                local ? "127.0.0.1" : container.getHost(),
                (System.nanoTime() - t0) / 1_000_000,
                deliberate);
        String failure = server.awaitPong();
        if (failure != null) {
            String log = container.getLogs().strip();
            Long exit = container.getCurrentContainerInfo().getState().getExitCodeLong();
            container.stop();
            throw new StartFailure(
                    "Redis " + version + " (docker, image " + image(version) + ") did not start: "
                            + (exit != null && !container.isRunning()
                                    ? "the server process exited (code " + exit + ")"
                                    : "no PONG on " + server.host + ":" + hostPort + " within 30 s (" + failure + ")")
                            + "\nServer log:\n  " + log.replace("\n", "\n  "),
                    log);
        }
        return server;
    }

    @Override
    public String host() {
        return host;
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
        // the container comes back on this host port: this JVM's proxies stay off it while it is free
        dev.prodlike.internal.Ports.hold(hostPort);
        container
                .getDockerClient()
                .stopContainerCmd(container.getContainerId())
                .withTimeout(5)
                .exec();
    }

    @Override
    public void restart() {
        String failure;
        try {
            container
                    .getDockerClient()
                    .startContainerCmd(container.getContainerId())
                    .exec();
            failure = awaitPong();
        } finally {
            dev.prodlike.internal.Ports.release(hostPort);
        }
        if (failure != null) {
            throw new IllegalStateException("Redis in container " + container.getContainerId() + " did not answer"
                    + " PING on " + host + ":" + hostPort + " within 30 s after its restart: " + failure);
        }
    }

    private static String logsOf(GenericContainer<?> container) {
        try {
            return container.getContainerId() == null
                    ? null
                    : container.getLogs().strip();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A container that did not come up, with the server's log for the caller's hint. */
    public static final class StartFailure extends IllegalStateException {
        private final String log;

        StartFailure(String message, String log) {
            super(message);
            this.log = log;
        }

        /** @return the container's log */
        public String log() {
            return log;
        }
    }

    /** @return null once a PING through the published port is answered, else the last failure after 30 s */
    private String awaitPong() {
        // Docker's port proxy accepts connections as soon as the container runs, before redis-server listens, and
        // then resets them: only a real PONG through the published port means the server is back.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            last = ping(host, hostPort);
            if (last == null) {
                return null;
            }
            if (!container.isRunning()) {
                return "the container is not running";
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return last;
    }

    /**
     * @param host where the port is published
     * @param port the published port
     * @return null when a PING through it is answered with PONG, else what happened (an accepted connection that is
     *         then reset is not an answer)
     */
    public static String ping(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[16];
            int n = s.getInputStream().read(buf);
            String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII).trim() : "connection closed";
            return reply.equals("+PONG") ? null : "reply " + reply;
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return description() + " on " + host + ":" + hostPort;
    }
}
