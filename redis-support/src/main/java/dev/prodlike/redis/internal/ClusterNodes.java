package dev.prodlike.redis.internal;

import java.util.List;
import java.util.Map;

/**
 * A running Redis Cluster prodlike started: its masters, every hash slot assigned, all reachable from this JVM at the
 * addresses the nodes announce (so {@code MOVED} redirections and {@code CLUSTER NODES} name addresses a client here
 * can use).
 *
 * <p>Not API: may change in any release.
 */
public interface ClusterNodes extends AutoCloseable {

    /** A master as clients reach it. @param host always 127.0.0.1 on a local engine @param port its client port */
    record Node(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** @return the masters, in slot order (the first holds slot 0) */
    List<Node> nodes();

    /** @return e.g. {@code embedded (redis-server 7.0.15 from org.signal:embedded-redis), 3 masters} */
    String description();

    /** @return docker or embedded */
    String provider();

    /** @return test-only settings with why they do not change what the service sees */
    Map<String, String> deliberateSettings();

    /** @return milliseconds from the start until every master served its slots */
    long startMillis();

    /** Stops every node. */
    @Override
    void close();
}
