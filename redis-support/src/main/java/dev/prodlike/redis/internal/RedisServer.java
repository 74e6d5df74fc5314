package dev.prodlike.redis.internal;

import java.util.Map;

/** A running Redis server, however provided. */
public interface RedisServer extends AutoCloseable {

    /** @return host to connect to, always 127.0.0.1 for servers prodlike starts */
    String host();

    /** @return port to connect to */
    int port();

    /** @return where to connect, with credentials and TLS where the URL has them; no database selected */
    default io.lettuce.core.RedisURI baseUri() {
        return io.lettuce.core.RedisURI.builder()
                .withHost(host())
                .withPort(port())
                .build();
    }

    /**
     * @param db a logical database
     * @return the URI a client of that database uses, e.g. {@code redis://127.0.0.1:41234/3}
     */
    default String uri(int db) {
        return "redis://" + host() + ":" + port() + "/" + db;
    }

    /** @return e.g. {@code embedded (redis-server 7.0.15 from org.signal:embedded-redis)} */
    String description();

    /** @return docker, embedded or external */
    String provider();

    /** @return true when prodlike started this server: it may be paused, stopped and emptied freely */
    boolean provisioned();

    /**
     * @return the logical databases prodlike may use; for an external server only the one {@code redis.url} names
     */
    default int[] databases() {
        int[] all = new int[16];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    /** @return test-only settings with why they do not change what the service sees */
    Map<String, String> deliberateSettings();

    /** @return milliseconds it took to have this server answer */
    long startMillis();

    /** Stops the server for an outage; its port stays reserved for {@link #restart()}. */
    void stopForOutage();

    /** Starts the server again on the same port after {@link #stopForOutage()} and waits until it answers. */
    void restart();

    /** Stops the server when prodlike started it; forgets it otherwise. */
    @Override
    void close();
}
