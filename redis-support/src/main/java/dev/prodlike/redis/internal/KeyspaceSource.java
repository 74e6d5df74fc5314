package dev.prodlike.redis.internal;

import java.time.Duration;
import java.util.List;

/**
 * Where a test's recorder gets its keyspace notifications from: one database of a standalone server
 * ({@link KeyspaceHub}), or every master of a cluster ({@link ClusterKeyspace}), whose notifications are node-local.
 */
interface KeyspaceSource {

    /**
     * What a source delivers to: the test's recorder. Declared here, not as the recorder's class, so that the
     * sources (which only deliver) do not depend on the recorder (which uses a source to sync).
     */
    interface Listener {

        /**
         * @param key   the key the notification is about
         * @param event the command's event, e.g. {@code set}
         */
        void event(String key, String event);

        /** @param id a sentinel that came back: everything its node notified before it has arrived */
        void marker(String id);
    }

    /** @param listener starts receiving events and sentinel markers, in arrival order */
    void register(Listener listener);

    /** @param listener receives nothing more */
    void unregister(Listener listener);

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
