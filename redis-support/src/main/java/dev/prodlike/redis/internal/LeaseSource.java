package dev.prodlike.redis.internal;

/** Hands each test a keyspace of its own: a database of a shared server, or a test cluster. */
public interface LeaseSource {

    /**
     * Waits for a free keyspace, empties it and hands it to one test.
     *
     * @param testName for messages
     * @return the lease, to close when the test ends
     */
    RedisLease lease(String testName);
}
