package dev.prodlike.redis.internal;

import dev.prodlike.internal.Docker;
import dev.prodlike.internal.Ports;
import dev.prodlike.redis.RedisKeys;
import dev.prodlike.redis.internal.docker.DockerCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Starts servers and clusters with provider=docker. A class of its own keeps Testcontainers classes from loading
 * unless the docker provider is used, and lets {@link RedisEnvironments} (servers) and {@link SharedCluster}
 * (clusters) both use it without depending on each other.
 */
final class DockerLoader {
    private DockerLoader() {}

    static ClusterNodes startCluster(RedisSettings settings) {
        Map<String, String> all = new LinkedHashMap<>(EmbeddedRedis.FIXED_SETTINGS);
        all.putAll(settings.settings());
        List<Integer> ports = new ArrayList<>();
        List<ClusterNodes.Node> taken = new ArrayList<>();
        for (int i = 0; i < settings.masters(); i++) {
            int port = EmbeddedCluster.portWithFreeBus(taken);
            ports.add(port);
            taken.add(new ClusterNodes.Node("127.0.0.1", port));
        }
        DockerCluster cluster;
        try {
            cluster = DockerCluster.start(
                    settings.version(), ports, EmbeddedCluster.BUS_OFFSET, all, EmbeddedCluster.deliberate(settings));
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(
                    "Testcontainers could not start a Redis Cluster of redis:"
                            + settings.version() + ": " + Docker.rootCause(e) + "\nFix: check that the image exists"
                            + " (docker pull redis:" + settings.version() + ") or use provider=embedded.",
                    e);
        }
        String failure = ClusterFormation.form(cluster.nodes(), cluster.announce());
        if (failure != null) {
            String log = cluster.logs();
            cluster.close();
            throw new IllegalStateException("A Redis Cluster of " + settings.masters() + " masters of redis:"
                    + settings.version() + " (docker) did not form: " + failure + "\nServer log:\n  "
                    + log.replace("\n", "\n  ") + EmbeddedRedis.hintFor(log, settings));
        }
        cluster.formed();
        return cluster;
    }

    static RedisServer start(RedisSettings settings) {
        Integer fixed =
                settings.profile().get(RedisKeys.PORT).map(Integer::valueOf).orElse(null);
        int port = fixed != null ? fixed : Ports.freeLoopbackPort();
        if (fixed != null && Ports.inUse(port)) {
            throw new ExtensionConfigurationException(
                    Ports.inUseMessage(port, "Redis " + settings.version(), RedisKeys.PORT));
        }
        try {
            return dev.prodlike.redis.internal.docker.DockerRedis.start(
                    settings.version(),
                    new LinkedHashMap<>(EmbeddedRedis.FIXED_SETTINGS),
                    settings.settings(),
                    port,
                    EmbeddedRedis.deliberate(settings.settings()));
        } catch (dev.prodlike.redis.internal.docker.DockerRedis.StartFailure e) {
            throw new IllegalStateException(e.getMessage() + EmbeddedRedis.hintFor(e.log(), settings), e);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(
                    "Testcontainers could not start redis:" + settings.version() + ": "
                            + dev.prodlike.internal.Docker.rootCause(e)
                            + "\nFix: check that the image exists (docker pull redis:"
                            + settings.version() + ") or use provider=embedded.",
                    e);
        }
    }
}
