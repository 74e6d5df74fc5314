package dev.prodlike.postgres.internal;

/**
 * A server whose whole cluster, once migrated, is kept for later runs, so that the next JVM starts already migrated
 * (the embedded provider). {@link PostgresEnvironment} asks every server for it through
 * {@link PgServer#clusterSnapshots()}, never for a concrete provider.
 */
interface ClusterSnapshots {

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
}
