package dev.prodlike.redis.internal;

import java.time.Duration;
import java.util.List;

/**
 * Where a test's {@link RecorderImpl} gets its keyspace notifications from: one database of a standalone server
 * ({@link KeyspaceHub}), or every master of a cluster ({@link ClusterKeyspace}), whose notifications are node-local.
 */
interface KeyspaceSource {

    /** @param recorder starts receiving events and sentinel markers, in arrival order */
    void register(RecorderImpl recorder);

    /** @param recorder receives nothing more */
    void unregister(RecorderImpl recorder);

    /**
     * Publishes a sentinel through every node the keyspace lives on and waits until each came back on that node's
     * subscription; once they have, every notification of every command completed before the call has arrived.
     *
     * @param timeout how long in total
     * @return the sentinels' ids (one per node)
     */
    List<String> sync(Duration timeout);

    /** @return the logical database the events happen in (0 in a cluster) */
    int database();
}
