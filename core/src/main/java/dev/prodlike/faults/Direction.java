package dev.prodlike.faults;

import org.apiguardian.api.API;

/**
 * Which way through the proxy a fault acts on.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public enum Direction {
    /** Bytes the client sends to the server (queries, commands). */
    TO_SERVER,
    /** Bytes the server sends back to the client (results, replies). */
    TO_CLIENT,
    /** Both ways. */
    BOTH;

    /** @return whether bytes towards the server are affected */
    public boolean toServer() {
        return this != TO_CLIENT;
    }

    /** @return whether bytes towards the client are affected */
    public boolean toClient() {
        return this != TO_SERVER;
    }
}
