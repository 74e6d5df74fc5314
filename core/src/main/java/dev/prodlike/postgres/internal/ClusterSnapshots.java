package dev.prodlike.postgres.internal;

/**
 * A server whose whole cluster, once migrated, is kept for later runs, so that the next JVM starts already migrated
 * (the embedded and docker providers). {@link PostgresEnvironment} asks every server for it through
 * {@link PgServer#clusterSnapshots()}, never for a concrete provider.
 */
public interface ClusterSnapshots {

    /**
     * @param fingerprint a migrations fingerprint
     * @return true when this server started from a cluster that has exactly those migrations applied
     */
    boolean startedFrom(String fingerprint);

    /**
     * @param fingerprint a migrations fingerprint this server started from
     * @return what the cached cluster remembers of its template
     */
    TemplateMetadata seedMetadata(String fingerprint);

    /**
     * Keeps this cluster, just migrated, for later runs.
     *
     * @param fingerprint the migrations fingerprint
     * @param metadata    what to remember of the template
     */
    void snapshot(String fingerprint, TemplateMetadata metadata);

    /**
     * @param prefetch how many clones this run keeps ready
     * @return how many clones of the template to make before {@link #snapshot}: the first tests of every later run
     *     take them without waiting. At most one by default: each more costs every later cold start its copy (~8 MB)
     */
    default int clonesToSeed(int prefetch) {
        return Math.min(1, prefetch);
    }
}
